// CSV reader tests: being written.
