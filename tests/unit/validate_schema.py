#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""validate_schema - check JSON documents against a JSON Schema (draft 2020-12).

Usage: validate_schema.py SCHEMA FILE...

Each FILE (or "-" for stdin) may hold several concatenated documents: a
pretty-printed stream, JSON Lines, or a single document. Exit status: 0 when
every document is valid, 1 when one is not, 2 on a usage error or when a
file cannot be read or parsed as JSON. Messages name the file, the document
(by number and starting line) and the JSON path of the offending value.

Lab tests may import it instead:

    import validate_schema as vs
    validator = vs.load_validator("docs/scan-result.schema.json")
    errors = vs.validate_text(validator, output, "mxaudit stdout")
    assert not errors, "\\n".join(errors)
"""

import json
import sys

import jsonschema

# errors shown per document; the rest are counted
MAX_ERRORS = 20


class DocumentError(Exception):
    """A file that is not a sequence of JSON documents."""


def load_validator(schema_path):
    """Read a draft 2020-12 schema, check it, and return its validator."""
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.Draft202012Validator
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def load_documents(text):
    """Split concatenated JSON documents: a list of (line, document)."""
    decoder = json.JSONDecoder()
    docs = []
    pos = 0
    while True:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        if pos >= len(text):
            break
        line = text.count("\n", 0, pos) + 1
        try:
            doc, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as e:
            raise DocumentError(
                "document %d (line %d): invalid JSON: %s at line %d column %d"
                % (len(docs) + 1, line, e.msg, e.lineno, e.colno)) from None
        docs.append((line, doc))
        pos = end
    if not docs:
        raise DocumentError("no JSON document")
    return docs


def validate_documents(validator, docs, name):
    """Validate (line, document) pairs; a list of messages, empty when valid."""
    messages = []
    for n, (line, doc) in enumerate(docs, 1):
        errors = sorted(validator.iter_errors(doc),
                        key=lambda e: [str(p) for p in e.absolute_path])
        for e in errors[:MAX_ERRORS]:
            messages.append("%s: document %d (line %d): %s: %s"
                            % (name, n, line, e.json_path, e.message))
        if len(errors) > MAX_ERRORS:
            messages.append("%s: document %d (line %d): %d more errors"
                            % (name, n, line, len(errors) - MAX_ERRORS))
    return messages


def validate_text(validator, text, name="<text>"):
    """Validate every document in text; a list of messages, empty when valid.

    Text that is not a sequence of JSON documents is one message too.
    """
    try:
        docs = load_documents(text)
    except DocumentError as e:
        return ["%s: %s" % (name, e)]
    return validate_documents(validator, docs, name)


def main(argv):
    if len(argv) < 2:
        print("usage: validate_schema.py SCHEMA FILE...", file=sys.stderr)
        return 2
    try:
        validator = load_validator(argv[0])
    except (OSError, ValueError) as e:
        print("validate_schema: %s: cannot load schema: %s" % (argv[0], e),
              file=sys.stderr)
        return 2
    except jsonschema.SchemaError as e:
        print("validate_schema: %s: not a valid draft 2020-12 schema: %s"
              % (argv[0], e.message), file=sys.stderr)
        return 2

    status = 0
    for path in argv[1:]:
        try:
            if path == "-":
                text = sys.stdin.read()
            else:
                with open(path, encoding="utf-8") as f:
                    text = f.read()
            docs = load_documents(text)
        except (OSError, UnicodeDecodeError, DocumentError) as e:
            print("validate_schema: %s: %s" % (path, e), file=sys.stderr)
            status = 2
            continue
        messages = validate_documents(validator, docs, path)
        if messages:
            for m in messages:
                print("validate_schema: " + m, file=sys.stderr)
            print("validate_schema: %s: INVALID against %s" % (path, argv[0]),
                  file=sys.stderr)
            status = max(status, 1)
        else:
            print("validate_schema: %s: %d document%s valid"
                  % (path, len(docs), "" if len(docs) == 1 else "s"))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
