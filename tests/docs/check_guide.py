#!/usr/bin/env python3
"""docs/guide.md cannot rot: every code block in it is preceded by a line
<!-- snippet: PATH[#NAME] --> and equals that file (or its region between the
"--8<-- [start:NAME]" and "--8<-- [end:NAME]" marks), which the test suite compiles
and runs (examples/ by the install suite, tests/docs/ by the train suite). And every
compile-fail case's expected message is explained in the guide.

  check_guide.py SOURCE_DIR
"""
import os
import re
import sys
import textwrap

root = sys.argv[1]
guide_path = os.path.join(root, "docs", "guide.md")
guide = open(guide_path, encoding="utf-8").read().split("\n")
problems = []


def region(path, name):
    lines = open(os.path.join(root, path), encoding="utf-8").read().split("\n")
    if name is None:
        return "\n".join(lines).rstrip("\n")
    start = [i for i, line in enumerate(lines) if f"--8<-- [start:{name}]" in line]
    end = [i for i, line in enumerate(lines) if f"--8<-- [end:{name}]" in line]
    if len(start) != 1 or len(end) != 1 or end[0] <= start[0]:
        raise ValueError(f"{path} has no single region '{name}'")
    return textwrap.dedent("\n".join(lines[start[0] + 1:end[0]]))


blocks = 0
i = 0
while i < len(guide):
    fence = re.match(r"^```(\w*)\s*$", guide[i])
    if not fence:
        i += 1
        continue
    language = fence.group(1)
    end = next((j for j in range(i + 1, len(guide)) if guide[j].startswith("```")), None)
    if end is None:
        problems.append(f"guide.md:{i + 1}: a code block that is never closed")
        break
    body = "\n".join(guide[i + 1:end])
    if language != "text":  # compiler output and program output are shown, not compiled
        blocks += 1
        marker = re.match(r"^<!-- snippet: ([^#\s]+)(?:#(\S+))? -->$", guide[i - 1] if i else "")
        if not marker:
            problems.append(f"guide.md:{i + 1}: a ```{language} block without a '<!-- snippet: PATH#NAME -->' line above it")
        else:
            try:
                want = region(marker.group(1), marker.group(2))
                if body.strip("\n") != want.strip("\n"):
                    problems.append(f"guide.md:{i + 1}: the block differs from {marker.group(1)}#{marker.group(2)}")
            except (OSError, ValueError) as e:
                problems.append(f"guide.md:{i + 1}: {e}")
    i = end + 1

text = "\n".join(guide)
folder = os.path.join(root, "tests", "compile_errors")
for name in sorted(os.listdir(folder)):
    if name.endswith(".cpp"):
        expect = re.search(r"^// expect: (.*)$", open(os.path.join(folder, name)).read(), re.M)
        if expect and expect.group(1).strip() not in text:
            problems.append(f"guide.md does not explain {name}'s error: {expect.group(1).strip()}")

for p in problems:
    print(p)
print(f"check_guide: {blocks} code blocks checked, {len(problems)} problems")
sys.exit(1 if problems else 0)
