# -*- coding: utf-8 -*-
# Copyright: chime.admin contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

# Not intended for use outside this collection: a private module of chime.admin that may change without notice.
"""The report formats, in one table: each format's name, whether it is written by default, and the files it
makes (each with its file extension, content type and writer). The action's ``formats`` choices, the filters,
the role's argument spec, the local and S3 stores and the docs read it; a unit test holds the docs and the role
to it.

Adding a format is one module (``_format_<name>.py``, with a ``write(report, out)`` that writes the report to a
text stream), one entry below, and its tests.
"""

import collections
import io

from ansible_collections.chime.admin.plugins.plugin_utils import _format_asff
from ansible_collections.chime.admin.plugins.plugin_utils import _format_csv
from ansible_collections.chime.admin.plugins.plugin_utils import _format_html
from ansible_collections.chime.admin.plugins.plugin_utils import _format_json
from ansible_collections.chime.admin.plugins.plugin_utils import _format_markdown
from ansible_collections.chime.admin.plugins.plugin_utils import _format_ocsf
from ansible_collections.chime.admin.plugins.plugin_utils._report import ReportError
from ansible_collections.chime.admin.plugins.plugin_utils._report import plain

# One file of a format: its name (the key of the stores' and the action's results), its file extension after
# the report's name, its content type in S3, and ``write(report, out)``, which writes it to a text stream.
Output = collections.namedtuple("Output", ("name", "extension", "content_type", "write"))
# A format: the name users give in ``formats``, whether it is written when no formats are given, its files.
Format = collections.namedtuple("Format", ("name", "default", "outputs"))

TABLE = (
    Format("json", True, (Output("json", "json", "application/json; charset=utf-8", _format_json.write),)),
    Format(
        "csv",
        True,
        (
            Output("csv", "csv", "text/csv; charset=utf-8", _format_csv.write_accounts),
            Output("findings_csv", "findings.csv", "text/csv; charset=utf-8", _format_csv.write_findings),
        ),
    ),
    Format("markdown", True, (Output("markdown", "md", "text/markdown; charset=utf-8", _format_markdown.write),)),
    Format("html", True, (Output("html", "html", "text/html; charset=utf-8", _format_html.write),)),
    # The findings as OCSF events: asked for by name.
    Format("ocsf", False, (Output("ocsf", "ocsf.json", "application/json; charset=utf-8", _format_ocsf.write),)),
    # The findings in the AWS Security Finding Format, as the security_hub option builds them: asked for by name.
    Format("asff", False, (Output("asff", "asff.json", "application/json; charset=utf-8", _format_asff.write),)),
)

FORMATS = tuple(fmt.name for fmt in TABLE)
DEFAULT_FORMATS = tuple(fmt.name for fmt in TABLE if fmt.default)
OUTPUTS = {output.name: output for fmt in TABLE for output in fmt.outputs}
EXTENSIONS = {name: output.extension for name, output in OUTPUTS.items()}
CONTENT_TYPES = {name: output.content_type for name, output in OUTPUTS.items()}


def check_formats(formats):
    """Refuse a format the table does not have, naming the known ones."""
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise ReportError(f"unknown format(s) {', '.join(unknown)}; known formats: {', '.join(FORMATS)}.")


def outputs(formats):
    """The files that ``formats`` make, in the table's order: each format's own, and for ``csv`` also
    ``findings_csv``, the violations, the waived and the resolved findings in a CSV file of their own (one
    table per file, as spreadsheets and CSV readers expect)."""
    return [output.name for fmt in TABLE if fmt.name in formats for output in fmt.outputs]


def write(report, output, out):
    """Write the report's file ``output`` (a name of :data:`OUTPUTS`) to the text stream ``out``. A report that a
    format cannot write (its module raises a ValueError, as OCSF's :class:`_format_ocsf.OcsfError`, saying why)
    fails as a :class:`ReportError`, whichever the format."""
    try:
        OUTPUTS[output].write(report, out)
    except (_format_ocsf.OcsfError, _format_asff.AsffError) as error:
        raise ReportError(str(error)) from None


def render(report, formats=DEFAULT_FORMATS, is_plain=False):
    """The report in each of ``formats`` (json, csv, markdown, html, ocsf, asff): a dict of file to text, read
    from one plain copy of the report. ``is_plain``: the report is already plain data (what
    :func:`_report.build_report` returns, before anything templates it), so no copy is made: at 10,000 accounts
    the copy costs a quarter of a second."""
    check_formats(formats)
    report = report if is_plain else plain(report)
    texts = {}
    for output in outputs(formats):
        out = io.StringIO()
        write(report, output, out)
        texts[output] = out.getvalue()
    return texts
