"""Hostile uploads, built byte by byte: small files that ask a reader for far too much.

Each builder returns the bytes of one file. The workbooks are written part by part into a
zip (no spreadsheet library would write such claims), so a test or a benchmark can hand
the app exactly what an attacker would.
"""

from __future__ import annotations

import io
import zipfile

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
    f'<Relationship Id="rId1" Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}">'
    '<sheets><sheet name="data" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
    f'<Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{DOC_RELS}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
STRINGS = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}"><si><t>x</t></si></sst>'
# A header and three rows: a table the app reads, before whatever a builder adds.
TABLE_ROWS = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>y</t></is></c></row>'
    + "".join(
        f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}"><v>{2 * r}</v></c></row>'
        for r in (2, 3, 4)
    )
)


def sheet_xml(rows: str = TABLE_ROWS, dimension: str = "A1:B4", prolog: str = "") -> str:
    """A worksheet part holding ``rows`` (row elements) and claiming ``dimension``."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="{MAIN}">'
        f'<dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>'
    )


def xlsx(sheet: str, strings: str = STRINGS) -> bytes:
    """A workbook of one sheet named 'data' whose worksheet part is ``sheet``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/sharedStrings.xml", strings)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return buffer.getvalue()


def claims_whole_sheet() -> bytes:
    """1.6 KB that claims 16,384 columns x 1,048,576 rows: a value in the very last cell."""
    last = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    return xlsx(sheet_xml(TABLE_ROWS + last, "A1:XFD1048576"))


def far_row() -> bytes:
    """A table with one more row numbered 99,999,999,999."""
    return xlsx(sheet_xml(TABLE_ROWS + '<row r="99999999999"><c><v>1</v></c></row>'))


def far_column() -> bytes:
    """A table with one value in column XFD (16,384) of its second row."""
    row = '<row r="5"><c r="A5"><v>5</v></c><c r="XFD5"><v>1</v></c></row>'
    return xlsx(sheet_xml(TABLE_ROWS + row, "A1:XFD5"))


def formatted_last_row() -> bytes:
    """A good table whose sheet also carries an empty, formatted row at the sheet's end."""
    return xlsx(
        sheet_xml(TABLE_ROWS + '<row r="1048576" ht="20" customHeight="1"/>', "A1:XFD1048576")
    )


def entity_bomb() -> bytes:
    """Shared strings whose one string expands to a thousand million 'lol's."""
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'
        for i in range(1, 10)
    )
    strings = (
        f'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE sst [{entities}]>'
        f'<sst xmlns="{MAIN}"><si><t>&lol9;</t></si></sst>'
    )
    return xlsx(sheet_xml(), strings)


def malformed_xml() -> bytes:
    """A worksheet part cut off in the middle of a row."""
    return xlsx(sheet_xml()[:-60])


def corrupt_deflate() -> bytes:
    """A workbook whose worksheet's compressed bytes are overwritten half way."""
    sheet = sheet_xml(TABLE_ROWS * 40)  # long enough to compress to a few hundred bytes
    content = bytearray(xlsx(sheet))
    info = zipfile.ZipFile(io.BytesIO(bytes(content))).getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    middle = start + info.compress_size // 2
    content[middle : middle + 16] = b"\xff" * 16
    return bytes(content)


def string_out_of_range() -> bytes:
    """A cell pointing at shared string 99 of a list of one."""
    row = '<row r="5"><c r="A5" t="s"><v>99</v></c><c r="B5"><v>1</v></c></row>'
    return xlsx(sheet_xml(TABLE_ROWS + row))


def backtracking_csv(spaces: int = 32_000) -> bytes:
    """A 32 KB CSV: quoted cells of a sign and a long run of spaces, as a number written as
    text would start, that made the old pattern try every way to split the run."""
    cells = [f'"+{" " * spaces}x"', f'"+{" " * spaces}1 x"', f'"${" " * spaces}+x"']
    rows = "".join(f"{cell},{index}\n" for index, cell in enumerate(cells))
    return f"price,n\n{rows}1,4\n".encode()
