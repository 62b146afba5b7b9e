# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the table of report formats (plugins/plugin_utils/_formats.py): every list of the formats, and
of the files they make, in the action, the role and the docs is the table's."""

import io
import os
import re

import pytest
import yaml

from ansible.parsing.plugin_docs import read_docstring

from ansible_collections.chime.admin.plugins.action.chime_account_audit import argument_spec
from ansible_collections.chime.admin.plugins.plugin_utils import _formats as formats
from ansible_collections.chime.admin.plugins.plugin_utils import _store as store
from ansible_collections.chime.admin.plugins.plugin_utils._report import ReportError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
NAMES = list(formats.FORMATS)
DEFAULTS = list(formats.DEFAULT_FORMATS)
# The file extensions, in the table's order (json, csv, findings.csv, md, html, ocsf.json).
EXTENSIONS = [output.extension for fmt in formats.TABLE for output in fmt.outputs]


def _read(*parts):
    with open(os.path.join(ROOT, *parts), encoding="utf-8") as handle:
        return handle.read()


def _extensions(text):
    """The extensions a description names after the report's name: ``C(<name>.json), C(.csv) ...``."""
    return re.findall(r"C\((?:<\w+>)?\.([\w.]+)\)", text)


def test_the_table_names_each_format_and_file_once():
    assert len(set(NAMES)) == len(NAMES) and set(DEFAULTS) <= set(NAMES)
    assert len(set(EXTENSIONS)) == len(EXTENSIONS)
    assert set(formats.OUTPUTS) == set(formats.EXTENSIONS) == set(formats.CONTENT_TYPES)
    assert store.EXTENSIONS is formats.EXTENSIONS  # the stores name their files from the table
    assert all(callable(output.write) for output in formats.OUTPUTS.values())


def test_the_action_offers_the_tables_formats():
    option = argument_spec()["formats"]
    assert option["choices"] == NAMES and option["default"] == DEFAULTS


def test_the_modules_docs_list_the_tables_formats_and_files():
    # The module's own options (without its doc fragments, which hold neither).
    options = read_docstring(os.path.join(ROOT, "plugins", "modules", "chime_account_audit.py"))["doc"]["options"]
    assert options["formats"]["choices"] == NAMES and options["formats"]["default"] == DEFAULTS
    assert _extensions(" ".join(options["dest"]["description"])) == EXTENSIONS


def test_the_roles_argument_spec_lists_the_tables_formats_and_files():
    spec = yaml.safe_load(_read("roles", "account_audit", "meta", "argument_specs.yml"))
    options = spec["argument_specs"]["main"]["options"]
    option = options["account_audit_formats"]
    (expects,) = [line for line in option["description"] if line.startswith("Expects a list of")]
    assert re.findall(r"V\((\w+)\)", expects) == NAMES and option["default"] == DEFAULTS
    assert _extensions(" ".join(options["account_audit_dest"]["description"])) == EXTENSIONS


def test_the_render_filters_docs_list_the_tables_formats():
    options = yaml.safe_load(_read("plugins", "filter", "audit_render.yml"))["DOCUMENTATION"]["options"]
    assert options["formats"]["choices"] == NAMES and options["formats"]["default"] == DEFAULTS


def test_the_guides_list_the_tables_formats_and_files():
    compliance = " ".join(_read("docs", "docsite", "rst", "compliance.rst").split())
    listed = re.search(r"Which reports to write \(([^)]*)\)", compliance).group(1)
    assert re.findall(r"``(\w+)``", listed) == NAMES
    reference = " ".join(_read("docs", "docsite", "rst", "report_reference.rst").split())
    listed = re.search(r"``<ext>`` is (.*?)\. ", reference).group(1)
    assert re.findall(r"``([\w.]+)``", listed) == EXTENSIONS


def test_an_unknown_format_is_refused_naming_the_known_ones():
    with pytest.raises(ReportError, match="unknown format.s. pdf; known formats: " + ", ".join(NAMES)):
        formats.render({}, ["json", "pdf"])


def test_each_file_is_written_to_a_text_stream_as_render_returns_it():
    report = {"accounts": [], "violations": [], "waived": [], "resolved": []}
    out = io.StringIO()
    formats.write(report, "findings_csv", out)
    assert formats.render(report, ["csv"], is_plain=True)["findings_csv"] == out.getvalue()


class _Writes(io.StringIO):
    """A text stream that records the size of its largest single write."""

    largest = 0

    def write(self, text):
        self.largest = max(self.largest, len(text))
        return super().write(text)


def _big_report(count):
    accounts = [
        {"aws_account_id": "111122223333", "account_id": f"id-{n}", "name": f"n{n}\u202e"} for n in range(count)
    ]
    findings = [
        {"aws_account_id": "111122223333", "account_id": f"id-{n}", "name": f"n{n}", "rule": "no_suspended_accounts",
         "severity": "high", "detail": "suspended", "waiver": None}
        for n in range(count)
    ]  # fmt: skip
    return {"generated_at": "2026-12-07T08:00:00+00:00", "source": {}, "accounts": accounts, "violations": findings}


@pytest.mark.parametrize(("output", "write"), [("json", formats.OUTPUTS["json"].write),
                                               ("csv", formats.OUTPUTS["csv"].write),
                                               ("findings_csv", formats.OUTPUTS["findings_csv"].write),
                                               ("ocsf", formats.OUTPUTS["ocsf"].write)])  # fmt: skip
def test_a_large_file_is_written_in_pieces_never_whole(output, write):
    """Each format writes to its stream as it renders: no single write holds more than a small part of the file
    (here, a tenth), and the pieces are the text ``render`` returns."""
    report = _big_report(3000)
    out = _Writes()
    write(report, out)
    assert out.largest * 10 < len(out.getvalue()), (output, out.largest, len(out.getvalue()))
    assert (
        out.getvalue() == formats.render(report, [output if output != "findings_csv" else "csv"], is_plain=True)[output]
    )
