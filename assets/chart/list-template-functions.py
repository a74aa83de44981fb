#!/usr/bin/env python3
"""Print the template functions (and keywords) used by a chart's templates.

Usage: assets/chart/list-template-functions.py [assets/chart/todo-chatbot]
Scans every {{ ... }} action under templates/, ignoring string literals and
{{/* comments */}}; field accesses (.Values.x) and variables ($x) are skipped.
"""
import glob
import os
import re
import sys

KEYWORDS = {"if", "else", "end", "range", "with", "define", "template", "block",
            "nil", "true", "false", "break", "continue"}

chart = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "todo-chatbot")
funcs, keywords = set(), set()
for path in glob.glob(os.path.join(chart, "templates", "**", "*"), recursive=True):
    if not os.path.isfile(path):
        continue
    text = open(path, encoding="utf-8").read()
    for action in re.findall(r"\{\{-?(.*?)-?\}\}", text, re.S):
        if action.strip().startswith("/*"):
            continue
        action = re.sub(r'"(\\.|[^"\\])*"|`[^`]*`', '""', action)
        for word in re.findall(r"(?<![.$\w])([A-Za-z_][A-Za-z0-9_]*)", action):
            (keywords if word in KEYWORDS else funcs).add(word)
print("functions:", " ".join(sorted(funcs)))
print("keywords: ", " ".join(sorted(keywords)))
