"""A4 pages in large, calm type: the few layout pieces every handout is made of.

Handouts are read by people with little schooling and photocopied on whatever
machine an office has, so: black on white, 14 pt body text, no colour that carries
meaning, ticks as real boxes, "check with the office" as a bold note with a thick
bar (a grey fill disappears on a bad copier). A second language follows each line
in dark grey, indented, one size smaller: both stay readable, and a reader's eye
finds its own language without hunting across columns (two columns of Romani and
Serbian on A4 leave ~30 letters a line and break words badly).

The font is DejaVu Sans, shipped inside the package and embedded (subset) in each
file: it has Serbian Cyrillic and every Romani letter, and no office computer needs
to have it installed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos

from docassist.locations import fonts_dir

FONT = "DejaVu"
TITLE_PT = 22
SUBTITLE_PT = 16
HEADING_PT = 16
BODY_PT = 14
SECOND_PT = 13  # the second language: smaller and grey, still >= 13 pt
SMALL_PT = 9  # the page footer only

BLACK = 0
GREY = 70  # dark enough to survive a photocopy
LIGHT = 150

MM_PER_PT = 25.4 / 72
LINE = 1.3  # line height as a multiple of the font size
INDENT = 6.0  # mm: where the second language and ticked items start
BOX = 5.0  # mm: side of a tick box
BAR = 1.4  # mm: the thick bar in front of a "check with the office" note
KEEP_WHOLE_LINES = 8  # a paragraph up to this tall is never split over two pages


def line_height(points: float) -> float:
    return points * MM_PER_PT * LINE


@dataclass(frozen=True)
class Line:
    """One text in up to two languages: ``first`` in black, ``second`` grey below it.

    ``note`` is a quiet remark after the text, e.g. "(shown in Srpski)" when the
    text had no translation in that language yet.
    """

    first: str
    second: str = ""
    first_note: str = ""
    second_note: str = ""


class HandoutPDF(FPDF):
    """An A4 page stack with the project's fonts and a footer on every page."""

    def __init__(self, footer: str, *, title: str = "", language: str = "") -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.footer_text = footer
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=20)
        fonts = fonts_dir()
        self.add_font(FONT, "", str(fonts / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(fonts / "DejaVuSans-Bold.ttf"))
        self.set_creator("docassist")
        if title:
            self.set_title(title)
        if language:
            self.set_lang(language.replace("_", "-"))
        # A fixed creation date would make files identical between runs, but the
        # date is useful to whoever finds an old copy on a USB stick.
        self.set_creation_date(datetime.now(UTC))
        self.add_page()

    # -- page furniture ------------------------------------------------------

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FONT, "", SMALL_PT)
        self.set_text_color(GREY)
        width = self.epw
        self.cell(width * 0.8, 5, self.footer_text, align="L")
        self.cell(width * 0.2, 5, f"{self.page_no()} / {{nb}}", align="R")

    # -- building blocks -------------------------------------------------------

    def _text(
        self,
        text: str,
        points: float,
        *,
        bold: bool = False,
        grey: int = BLACK,
        indent: float = 0.0,
    ) -> None:
        self.set_font(FONT, "B" if bold else "", points)
        self.set_text_color(grey)
        self.set_x(self.l_margin + indent)
        self.multi_cell(
            0, line_height(points), text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )

    def _height(
        self, text: str, points: float, *, bold: bool = False, indent: float = 0.0
    ) -> float:
        """How tall ``text`` will be, so a block can move whole to the next page."""
        self.set_font(FONT, "B" if bold else "", points)
        height = self.multi_cell(
            self.epw - indent,
            line_height(points),
            text,
            align="L",
            dry_run=True,
            output=MethodReturnValue.HEIGHT,
        )
        # fpdf2 types the result as every shape ``output`` can ask for; HEIGHT alone
        # gives a number.
        assert isinstance(height, int | float)
        return float(height)

    def keep(self, height: float) -> None:
        """Start a new page unless ``height`` mm still fit on this one."""
        if self.will_page_break(height):
            self.add_page()

    def gap(self, mm: float = 3.0) -> None:
        self.ln(mm)

    def title_block(self, line: Line) -> None:
        self._text(line.first, TITLE_PT, bold=True)
        if line.second:
            self._text(line.second, SUBTITLE_PT, grey=GREY)
        self.gap(2)
        self.rule()

    def rule(self) -> None:
        self.set_draw_color(LIGHT)
        self.set_line_width(0.3)
        y = self.get_y() + 1
        self.line(self.l_margin, y, self.w - self.r_margin, y)
        self.set_y(y + 3)

    def heading(self, text: str, *, points: float = HEADING_PT, after: float = 20.0) -> None:
        """A heading never ends a page alone: ``after`` mm of what follows come with it."""
        self.gap(2)
        self.keep(self._height(text, points, bold=True) + after)
        self._text(text, points, bold=True)
        self.gap(1)

    def subtitle(self, text: str) -> None:
        """The second language of a heading: grey, right under it."""
        self._text(text, SECOND_PT + 1, grey=GREY)
        self.gap(1)

    def paragraph(
        self, line: Line, *, bold: bool = False, points: float = BODY_PT, indent: float = 0.0
    ) -> None:
        first = _noted(line.first, line.first_note)
        second = _noted(line.second, line.second_note)
        second_pt = max(SECOND_PT, points - 1)
        # A short paragraph moves whole to the next page rather than leave one line of
        # it on a page of its own; a long one may still break.
        height = self._height(first, points, bold=bold, indent=indent)
        if second:
            height += self._height(second, second_pt, indent=indent + INDENT)
        if height <= KEEP_WHOLE_LINES * line_height(points):
            self.keep(height)
        self._text(first, points, bold=bold, indent=indent)
        if second:
            self._text(second, second_pt, grey=GREY, indent=indent + INDENT)
        self.gap(1.5)

    def tick_item(self, line: Line) -> None:
        """A real box to tick with a pen, the text beside it."""
        first = _noted(line.first, line.first_note)
        second = _noted(line.second, line.second_note)
        height = self._height(first, BODY_PT, indent=INDENT + 3)
        if second:
            height += self._height(second, SECOND_PT, indent=2 * INDENT + 3)
        self.keep(height)
        y = self.get_y()
        self.set_draw_color(BLACK)
        self.set_line_width(0.5)
        text_top = (line_height(BODY_PT) - BOX) / 2
        self.rect(self.l_margin + 1, y + text_top, BOX, BOX)
        self._text(first, BODY_PT, indent=INDENT + 3)
        if second:
            self._text(second, SECOND_PT, grey=GREY, indent=2 * INDENT + 3)
        self.gap(1.5)

    def bullet(self, line: Line) -> None:
        """A list entry that is not ticked off: a short dash keeps it quiet."""
        # The dash and its text on one page: drawn at the foot of a page, the dash
        # broke to a page of its own and its text to the next one.
        height = self._height(_noted(line.first, line.first_note), BODY_PT, indent=INDENT)
        if line.second:
            height += self._height(
                _noted(line.second, line.second_note), SECOND_PT, indent=2 * INDENT
            )
        self.keep(min(height, KEEP_WHOLE_LINES * line_height(BODY_PT)))
        y = self.get_y()
        self.set_font(FONT, "", BODY_PT)
        self.set_text_color(BLACK)
        self.set_xy(self.l_margin + 1, y)
        self.cell(INDENT, line_height(BODY_PT), "–")
        self.set_y(y)
        self.paragraph(line, indent=INDENT)

    def warning(self, lines: Sequence[str]) -> None:
        """A bold note behind a thick black bar: "Check with the office"."""
        text = "\n".join(lines)
        height = self._height(text, BODY_PT, bold=True, indent=INDENT)
        self.keep(height + 2)
        top = self.get_y()
        self._text(text, BODY_PT, bold=True, indent=INDENT)
        self.set_fill_color(BLACK)
        self.rect(self.l_margin + 1, top + 0.5, BAR, self.get_y() - top - 1, style="F")
        self.gap(2)

    def blank(self, label: str, *, keep: bool = True) -> None:
        """A label and a line to write on by hand (an office address, a date)."""
        if keep:
            self.keep(line_height(BODY_PT) * 2 + 4)
        self.gap(4)
        self.set_font(FONT, "B", BODY_PT)
        self.set_text_color(BLACK)
        label_width = self.get_string_width(label) + 3
        y = self.get_y()
        self.set_x(self.l_margin)
        self.cell(label_width, line_height(BODY_PT), label)
        self.set_draw_color(BLACK)
        self.set_line_width(0.3)
        base = y + line_height(BODY_PT) - 1
        self.line(self.l_margin + label_width, base, self.w - self.r_margin, base)
        self.set_y(y + line_height(BODY_PT) + 2)

    @staticmethod
    def blanks_height(count: int) -> float:
        """How tall ``blanks`` of ``count`` lines is (each: a gap, the line, a gap)."""
        return count * (4 + line_height(BODY_PT) + 2) + 4

    def blanks(self, labels: Sequence[str]) -> None:
        """Lines to fill in by hand, kept together on one page."""
        self.keep(self.blanks_height(len(labels)))
        self.gap(4)
        for label in labels:
            self.blank(label, keep=False)

    # -- the sign-in sheet's table ---------------------------------------------------

    SIGN_ROW = 12.0  # mm: room for a name typed or written, and a signature
    NUMBER_WIDTH = 10.0
    NAME_SHARE = 0.55  # of the width after the number: the rest is for the signature

    def sign_header(self, name: str, signature: str) -> None:
        self.set_font(FONT, "B", SECOND_PT)
        self.set_text_color(BLACK)
        name_width = (self.epw - self.NUMBER_WIDTH) * self.NAME_SHARE
        self.set_x(self.l_margin)
        height = line_height(SECOND_PT)
        self.cell(self.NUMBER_WIDTH, height, "#")
        self.cell(name_width, height, name)
        self.cell(0, height, signature, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self._row_line(self.get_y() + 1, 0.5)
        self.set_y(self.get_y() + 2)

    def sign_row(self, number: int, name: str, detail: str, *, header: tuple[str, str]) -> None:
        """A numbered line to sign on: the name (and what tells the household apart)
        printed, or left blank to write in; a page that breaks repeats the header."""
        if self.will_page_break(self.SIGN_ROW):
            self.add_page()
            self.sign_header(*header)
        top = self.get_y()
        name_width = (self.epw - self.NUMBER_WIDTH) * self.NAME_SHARE
        self.set_text_color(BLACK)
        self.set_font(FONT, "", BODY_PT - 2)
        self.set_xy(self.l_margin, top + 1)
        self.cell(self.NUMBER_WIDTH, line_height(BODY_PT - 2), f"{number}.")
        if name:
            self.set_font(FONT, "B", BODY_PT - 2)
            self.cell(name_width, line_height(BODY_PT - 2), _fit_text(self, name, name_width))
        if detail:
            self.set_font(FONT, "", SMALL_PT + 1)
            self.set_text_color(GREY)
            self.set_xy(self.l_margin + self.NUMBER_WIDTH, top + 1 + line_height(BODY_PT - 2))
            self.cell(name_width, line_height(SMALL_PT + 1), _fit_text(self, detail, name_width))
        self._row_line(top + self.SIGN_ROW, 0.3)
        # The signature's own column: a light rule down its left side.
        x = self.l_margin + self.NUMBER_WIDTH + name_width
        self.set_draw_color(LIGHT)
        self.line(x, top + 1, x, top + self.SIGN_ROW - 1)
        self.set_y(top + self.SIGN_ROW)

    def _row_line(self, y: float, width: float) -> None:
        self.set_draw_color(BLACK if width >= 0.5 else LIGHT)
        self.set_line_width(width)
        self.line(self.l_margin, y, self.w - self.r_margin, y)

    def render(self) -> bytes:
        return bytes(self.output())


def _fit_text(pdf: FPDF, text: str, width: float) -> str:
    """``text`` shortened with "…" to fit ``width`` mm in the current font."""
    if pdf.get_string_width(text) <= width - 1:
        return text
    while text and pdf.get_string_width(text + "…") > width - 1:
        text = text[:-1]
    return text.rstrip() + "…"


def _noted(text: str, note: str) -> str:
    if not text:
        return ""
    return f"{text}  ({note})" if note else text


def finish(
    start: Callable[[], HandoutPDF], body: Callable[[HandoutPDF], None], blanks: Sequence[str]
) -> bytes:
    """The handout: ``start`` (a new PDF with its title), ``body``, then the ``blanks``.

    The lines to fill in by hand end the handout where they fit under the last text.
    Where they would start a page of their own (a sheet holding only "Date: ____"),
    they go under the title instead: a trial layout, never saved, tells which.
    """
    trial = start()
    body(trial)
    at_end = not trial.will_page_break(HandoutPDF.blanks_height(len(blanks)))
    pdf = start()
    if not at_end:
        pdf.blanks(blanks)
    body(pdf)
    if at_end:
        pdf.blanks(blanks)
    return pdf.render()
