// Chart tests: being written.
