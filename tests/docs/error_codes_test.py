#!/usr/bin/python3
"""Every error code the plugin, the SDK and the sample host can return is
listed in docs/errors.md, and every code listed there is still used.

    tests/docs/error_codes_test.py [SOURCE_DIR]

A code is a C++ string literal (comments removed) of the form
"<namespace>.<word>[.<word>...]" (lower case, digits, '_') whose namespace is
one of CODE_NAMESPACES. Literals in other namespaces must be declared
NOT_CODE_NAMESPACES (file names, JSON paths, ...), so a new family of codes
cannot slip past unnoticed. A few literals that look like codes are labels
(a field named in an ABI message, a property-tree path): LABEL_CALLS names
the calls whose literal arguments are labels, NOT_CODES the rest.

docs/errors.md lists a code in the first cell of a table row, in backticks
(several per cell allowed). Exit 0: both lists agree; 1: the differences,
each code with where it was found.
"""
import pathlib
import re
import sys

SOURCE_DIRS = ["plugin", "host-sdk", "sample-host/src"]
SOURCE_SUFFIXES = {".cpp", ".hpp", ".h", ".c"}

# First segments of error codes.
CODE_NAMESPACES = {
    "abi", "admin", "chat", "common", "config", "crypto", "encoding", "host", "identity",
    "loader", "mapping", "metadata", "plugin", "routing", "run", "saml",
    "scenario", "site", "sso", "store", "time",
}
# First segments of code-shaped literals that are not codes.
NOT_CODE_NAMESPACES = {
    "failure", "field", "query", "request", "routing_rule", "rule", "transcript",
    "certificate", "chat_start", "decision", "description", "history", "overview",
    "prechat", "result", "session", "summary", "visitor", "website",
}
# Literal arguments of these calls are labels for messages (the ABI names the
# field it could not read, a property-tree path), not codes.
LABEL_CALLS = re.compile(r"\b(TextOf|Texts|ArrayOf|Struct|get_optional|get)\s*(<[^>]*>)?\s*\(")
# Code-shaped literals that are not codes, with why.
NOT_CODES = {}
# Codes built at run time, documented as a pattern: the pattern is listed
# as long as the source still builds it.
DYNAMIC_CODES = {
    "http.<status>": ("sample-host/src/scenario_runner.cpp", '"http." + std::to_string('),
}

FILE_SUFFIXES = {"hpp", "cpp", "h", "c", "html", "js", "css", "json", "ini", "xml",
                 "db", "pem", "key", "crt", "txt", "md", "jsonl", "so", "svg", "ico"}
CODE_SHAPE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


def inside_label_call(text, position):
    """The literal at `position` is an argument of a LABEL_CALLS call (one
    whose parenthesis is still open there)."""
    window = text[max(0, position - 400):position]
    for call in LABEL_CALLS.finditer(window):
        depth = 1
        for c in window[call.end():]:
            depth += {"(": 1, ")": -1}.get(c, 0)
            if depth == 0:
                break
        if depth > 0:
            return True
    return False


def string_literals(text):
    """(line, literal, offset) for every ordinary string literal outside
    comments; raw strings are skipped."""
    out = []
    i, n, line = 0, len(text), 1
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            line += text.count("\n", i, end)
            i = end
        elif c == "R" and i + 1 < n and text[i + 1] == '"' and (
                i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_") or
                text[i - 2:i] in ("u8",) or text[i - 1] in "uUL"):
            m = re.match(r'R"([^(\s]*)\(', text[i:])
            if not m:
                i += 1
                continue
            close = ")" + m.group(1) + '"'
            end = text.find(close, i + m.end())
            end = n if end < 0 else end + len(close)
            line += text.count("\n", i, end)
            i = end
        elif c == '"':
            j = i + 1
            value = []
            while j < n and text[j] != '"':
                if text[j] == "\\" and j + 1 < n:
                    value.append(text[j:j + 2])
                    j += 2
                    continue
                if text[j] == "\n":
                    break
                value.append(text[j])
                j += 1
            out.append((line, "".join(value), i))
            i = j + 1
        elif c == "'":
            # A digit separator (1'000'000) or a character literal.
            if i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_") and not (
                    text[i - 1] in "uUL" and (i < 2 or not text[i - 2].isalnum())):
                i += 1
                continue
            j = i + 1
            while j < n and text[j] != "'":
                j += 2 if text[j] == "\\" else 1
            i = j + 1
        else:
            i += 1
    return out


def source_codes(root):
    codes, unknown = {}, {}
    for directory in SOURCE_DIRS:
        for path in sorted((root / directory).rglob("*")):
            if path.suffix not in SOURCE_SUFFIXES or not path.is_file():
                continue
            rel = path.relative_to(root).as_posix()
            text = path.read_text(encoding="utf-8")
            for line, literal, offset in string_literals(text):
                if not CODE_SHAPE.match(literal):
                    continue
                namespace = literal.split(".", 1)[0]
                if literal.rsplit(".", 1)[1] in FILE_SUFFIXES:
                    continue
                if inside_label_call(text, offset) or literal in NOT_CODES:
                    continue
                where = f"{rel}:{line}"
                if namespace in CODE_NAMESPACES:
                    codes.setdefault(literal, []).append(where)
                elif namespace not in NOT_CODE_NAMESPACES:
                    unknown.setdefault(literal, []).append(where)
    return codes, unknown


def documented_codes(root):
    listed = {}
    doc = root / "docs" / "errors.md"
    for number, row in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
        if not row.startswith("|"):
            continue
        first_cell = row.split("|")[1]
        for token in re.findall(r"`([^`]+)`", first_cell):
            listed.setdefault(token, []).append(f"docs/errors.md:{number}")
    return listed


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else
                        pathlib.Path(__file__).resolve().parents[2])
    codes, unknown = source_codes(root)
    listed = documented_codes(root)
    problems = []
    for pattern, (file, snippet) in DYNAMIC_CODES.items():
        path = root / file
        if path.is_file() and snippet in path.read_text(encoding="utf-8"):
            codes[pattern] = [file]
    bad_tokens = {t: w for t, w in listed.items()
                  if not CODE_SHAPE.match(t) and t not in DYNAMIC_CODES}
    missing = sorted(set(codes) - set(listed))
    stale = sorted(set(listed) - set(codes) - set(bad_tokens))
    if missing:
        problems.append(f"{len(missing)} error code(s) used in the sources but not listed in "
                        "docs/errors.md (add a table row for each):")
        problems += [f"  {code}  ({', '.join(codes[code][:3])}"
                     f"{', ...' if len(codes[code]) > 3 else ''})" for code in missing]
    if stale:
        problems.append(f"{len(stale)} code(s) listed in docs/errors.md but used nowhere in "
                        f"{', '.join(SOURCE_DIRS)} (remove them, or fix the spelling):")
        problems += [f"  {code}  ({', '.join(listed[code])})" for code in stale]
    if bad_tokens:
        problems.append("docs/errors.md lists entries that are not single codes (write every "
                        "code out, no wildcards):")
        problems += [f"  {token}  ({', '.join(w)})" for token, w in sorted(bad_tokens.items())]
    if unknown:
        problems.append("code-shaped literals in a namespace this test does not know; add the "
                        "namespace to CODE_NAMESPACES or NOT_CODE_NAMESPACES in "
                        "tests/docs/error_codes_test.py:")
        problems += [f"  {literal}  ({', '.join(w[:3])})" for literal, w in sorted(unknown.items())]
    if problems:
        print("\n".join(problems))
        return 1
    print(f"docs/errors.md lists all {len(codes)} error codes of the sources")
    return 0


if __name__ == "__main__":
    sys.exit(main())
