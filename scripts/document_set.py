#!/usr/bin/env python3
"""Synthetic identity-document photos with ground truth, for evaluating the MRZ / PDF417 reader.

Runs in its own venv (scripts/lib.sh ensure_document_tools): Python 3.11, pillow==13.0.0,
numpy==2.4.6, pdf417gen==0.8.1; fonts from Debian (fonts-ocr-b for the MRZ, fonts-dejavu-core
for the printed fields). No network. Every output is a function of the arguments and --seed.

  set      --out DIR --specimens DIR --faces DIR|JPG... [--count 100] [--level default|strong] [--seed 7]
           [--jobs N] (the output does not depend on --jobs; the order of --faces matters)
           count TD3 passports, count TD1 card backs, count licence backs (PDF417), ~10 % extra
           TD3/TD1 with one check digit altered, the two real specimens; DIR/labels.json.
  passport --face JPG --out FILE.jpg [person options] [--bad-check-digit] [--level clean|default|strong]
  idcard   --face JPG --out FRONT.jpg --out-back BACK.jpg [person options] [--bad-check-digit] [--level ...]
  licence  --face JPG --out FRONT.jpg --out-back BACK.jpg [person options] [--state CA] [--country USA]
  person options: --surname --given --number --country --nationality --birth YYMMDD --expiry YYMMDD
           --sex M|F|< --optional --seed. The single-document commands print their label (the same
           shape as one entry of labels.json, plus "front" for two-sided documents) on stdout.

Geometry follows ICAO 9303: TD3 page 125 x 88 mm, MRZ 2 x 44 characters; TD1 card 85.6 x 54 mm,
MRZ 3 x 30; OCR-B at a pitch of 2.54 mm, character height ~2.4 mm. Licences: AAMVA DL/ID card
design standard 2016 (versions 08/09), PDF417 with 13-17 columns, 10-12 mil modules.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import hashlib
import json
import math
import os
import shutil
import sys
import time
import unicodedata

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont, ImageOps

import pdf417gen

OCRB_PATH = "/usr/share/fonts/opentype/ocr-b/OCRB.otf"
SANS_PATH = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
SANS_BOLD_PATH = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
RES = Image.Resampling
LONG_SIDE = 1280  # what the capture page uploads

# --------------------------------------------------------------------------------------------
# Ground truth of the two real specimens of the PyPI sdist xmrzapp==25.10.9 (examples/), read by
# eye from zoomed crops of their MRZs; all five check digits of each line pair verify.
#  - example.jpg (UK specimen, 500x338): printed DOB 17 JAN 85, expiry 31 JAN 16 (expired), sex F;
#    the empty personal-number field has check digit 0.
#  - example1.jpg (Iceland specimen, 3000x2250): printed DOB 12 DEC 1912, sex X (MRZ '<'),
#    personal number 121212-1239 in the optional field. The MRZ's 121212 resolves to 2012-12-12
#    by the most-recent-past-century rule, and that is what its label says (a reader cannot know
#    1912 from the MRZ).
SPECIMENS = [
    ("example.jpg", "specimen-gbr.jpg",
     ["P<GBRUNITED<KINGDOM<FIVE<<JODIE<PIPPA<<<<<<<",
      "1071857032GBR8501178F1601312<<<<<<<<<<<<<<02"]),
    ("example1.jpg", "specimen-isl.jpg",
     ["PAISLAEVARSDOTTIR<<THURIDUR<OESP<<<<<<<<<<<<",
      "A3536444<7ISL1212123<3103108121212<1239<<<68"]),
]

# Face boxes (centre x, crown y, chin y in pixels) of the face_recognition==1.3.0 test photos,
# keyed by their sha256: the pinned venv has no face detector. Other photos are centre-cropped.
FACE_BOXES = {
    "0930e3aa8cae5920329c0c8cbc6a2ab70f47b0e67b432875beaa95cbf7e741f6": (489, 30, 425),   # obama.jpg
    "a7efcc907375274796f39646510704aa86672d59f6d5469d69af3c85590976a6": (371, 162, 585),  # obama2.jpg
    "76ac6bf97c36dc2da0ad16a537d6a5ac1b10f48d49aac29a0cca9a17cdbc3ca3": (758, 220, 634),  # obama3.jpg
    "3c17508bb91554c637a2eabddfae790e5bb1caba93130814fc2ac50be9760c4c": (566, 105, 558),  # biden.jpg
}

# --------------------------------------------------------------------------------------------
# Names, places, codes

SURNAMES = [
    "Eriksson", "Li", "Ng", "O'Connor", "Müller", "García Márquez", "Nguyễn", "Ødegård",
    "Ibrahimović", "Þórsdóttir", "van der Berg", "Papadopoulos", "Kowalczyk", "Jäätteenmäki",
    "Żółkiewski", "Al-Hashimi", "Sánchez-Villalobos de la Fuente", "Wolfeschlegelsteinhausenberger",
    "Smith", "Okonkwo", "Yamamoto", "Dubois", "Rossi", "Kim", "Singh", "Fernández", "Hoffmann",
    "Da Silva Santos", "Mbeki", "Ó Súilleabháin", "Lindqvist", "Novák", "Öztürk", "Wright-Phillips",
    "Abdulrahman Al-Saud", "Chukwuemeka-Obi", "Van Nistelrooij", "Šimůnek", "Fitzgerald", "Zhao",
    "Haraldsdóttir", "Kuznetsova", "Østergaard", "Saint-Exupéry", "MacGillivray", "Eze",
]
GIVEN_NAMES = [
    "Anna", "Maria", "Jean-Baptiste", "María de los Ángeles", "Mohammed", "Ali", "Li", "Siobhán",
    "Zoë", "Bjørn", "Ólafur", "Nikolaos", "Alexandros", "Thanh Huong", "Kwame", "Aiko", "Priya",
    "Lakshmi", "Christopher", "John", "Ronald", "Reuel", "Jodie", "Ana-Sofía", "Łucja", "François",
    "Grzegorz", "Hans-Jürgen", "Mei", "Chidinma", "Søren", "Ingrid", "José", "Ahmad", "Yusuf",
    "Elżbieta", "Ngozi", "Oluwaseun", "Marie-Claire", "Ævar", "Ðorđe", "Emma", "Lucas", "Noah",
    "Isabella", "Sven", "Giovanni", "Fatima", "Aleksandr", "Katarzyna", "Tomás", "Ewan",
]
CITIES = ["LONDON", "PARIS", "REYKJAVIK", "BERLIN", "LAGOS", "NAIROBI", "OSAKA", "LIMA", "OSLO",
          "MADRID", "KRAKÓW", "HANOI", "CAIRO", "SÃO PAULO", "TORONTO", "MUMBAI", "ATHENS",
          "ZÜRICH", "DUBLIN", "SEOUL", "AUCKLAND", "CHICAGO", "GDAŃSK", "ANKARA"]
COUNTRIES = {  # ICAO codes (D<< is Germany) plus the ICAO specimen state Utopia
    "UTO": "UTOPIA", "GBR": "UNITED KINGDOM", "USA": "UNITED STATES OF AMERICA", "CAN": "CANADA",
    "FRA": "FRANCE", "D": "DEUTSCHLAND", "NLD": "NEDERLAND", "ISL": "ÍSLAND", "SWE": "SVERIGE",
    "NOR": "NORGE", "FIN": "SUOMI", "ESP": "ESPAÑA", "ITA": "ITALIA", "IRL": "ÉIRE", "POL": "POLSKA",
    "AUS": "AUSTRALIA", "NZL": "NEW ZEALAND", "JPN": "JAPAN", "KOR": "REPUBLIC OF KOREA",
    "IND": "INDIA", "BRA": "BRASIL", "MEX": "MÉXICO", "ZAF": "SOUTH AFRICA", "NGA": "NIGERIA",
    "KEN": "KENYA", "EGY": "EGYPT", "TUR": "TÜRKİYE", "CHE": "SCHWEIZ", "AUT": "ÖSTERREICH",
    "BEL": "BELGIQUE", "PRT": "PORTUGAL", "GRC": "HELLAS", "CZE": "ČESKÁ REPUBLIKA",
    "UKR": "UKRAINE", "PHL": "PHILIPPINES", "SGP": "SINGAPORE", "ARE": "UNITED ARAB EMIRATES",
    "DNK": "DANMARK", "EST": "EESTI", "CHN": "CHINA",
}
COUNTRY_CODES = list(COUNTRIES)
# AAMVA issuer identification numbers (IIN) and names
US_STATES = {
    "CA": ("636014", "CALIFORNIA"), "NY": ("636001", "NEW YORK STATE"), "TX": ("636015", "TEXAS"),
    "FL": ("636010", "FLORIDA"), "WA": ("636045", "WASHINGTON"), "IL": ("636035", "ILLINOIS"),
    "PA": ("636025", "PENNSYLVANIA"), "AZ": ("636026", "ARIZONA"), "MI": ("636032", "MICHIGAN"),
    "CO": ("636020", "COLORADO"), "OH": ("636023", "OHIO"), "GA": ("636055", "GEORGIA"),
    "VA": ("636000", "VIRGINIA"), "MA": ("636002", "MASSACHUSETTS"),
}
CA_PROVINCES = {
    "ON": ("636012", "ONTARIO"), "BC": ("636028", "BRITISH COLUMBIA"), "NS": ("636013", "NOVA SCOTIA"),
    "NB": ("636017", "NEW BRUNSWICK"), "MB": ("636048", "MANITOBA"), "AB": ("604432", "ALBERTA"),
    "QC": ("604428", "QUÉBEC"),
}
US_CITIES = {"CA": ["SACRAMENTO", "LOS ANGELES", "SAN DIEGO", "FRESNO"], "NY": ["ALBANY", "BROOKLYN"],
             "TX": ["AUSTIN", "HOUSTON", "EL PASO"], "FL": ["MIAMI", "TAMPA"], "WA": ["SEATTLE", "SPOKANE"],
             "ON": ["TORONTO", "OTTAWA", "HAMILTON", "LONDON"]}
STREETS = ["MAIN ST", "OAK AVE", "2ND ST", "ELM DR", "MAPLE RD", "SUNSET BLVD", "LAKESHORE RD",
           "PINE ST", "CEDAR LN", "KING ST W", "MARKET ST", "HIGHLAND AVE"]
EYES = ["BLK", "BLU", "BRO", "GRY", "GRN", "HAZ"]
HAIR = ["BLK", "BLN", "BRO", "GRY", "RED", "WHI", "BAL"]
PALETTES = [  # (paper tint 1, tint 2, pattern colour)
    ((226, 236, 222), (240, 232, 214), (150, 186, 150)),
    ((236, 224, 232), (226, 230, 242), (190, 150, 176)),
    ((222, 232, 244), (236, 240, 228), (140, 168, 204)),
    ((244, 236, 218), (230, 226, 236), (196, 170, 128)),
    ((232, 236, 238), (244, 238, 230), (160, 170, 186)),
]
INK = (24, 24, 30)

TRANSLIT = {"Ä": "AE", "Ö": "OE", "Ü": "UE", "Å": "AA", "Æ": "AE", "Ø": "OE", "ß": "SS", "Þ": "TH",
            "Ð": "D", "Đ": "D", "Ł": "L", "Œ": "OE", "Ĳ": "IJ", "İ": "I", "ı": "I"}


def translit(name: str, icao: bool = True) -> str:
    """Upper-case A-Z, spaces kept (ICAO 9303 part 3 transliteration when icao, else plain)."""
    out = []
    for ch in name.upper():
        if icao and ch in TRANSLIT:
            out.append(TRANSLIT[ch])
        elif not icao and ch in "ÆŒĲ":
            out.append({"Æ": "AE", "Œ": "OE", "Ĳ": "IJ"}[ch])
        elif ch in "ØÐĐŁÞİı" and not icao:
            out.append({"Ø": "O", "Ð": "D", "Đ": "D", "Ł": "L", "Þ": "TH", "İ": "I", "ı": "I"}[ch])
        elif ch == "ß":
            out.append("SS")
        else:
            out.append("".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)))
    return "".join(out)


def mrz_name_part(name: str) -> str:
    s = translit(name)
    s = "".join(c if ("A" <= c <= "Z") else ("<" if c in " -" else "") for c in s)
    while "<<" in s:
        s = s.replace("<<", "<")
    return s.strip("<")


def mrz_name_field(surname: str, given: str, width: int) -> str:
    s, g = mrz_name_part(surname), mrz_name_part(given)
    field = s + ("<<" + g if g else "")
    return field[:width].ljust(width, "<")


# --------------------------------------------------------------------------------------------
# MRZ

def char_value(c: str) -> int:
    if c == "<":
        return 0
    if c.isdigit():
        return int(c)
    return ord(c) - 55  # A=10 ... Z=35


def check_digit(s: str) -> str:
    return str(sum(char_value(c) * (7, 3, 1)[i % 3] for i, c in enumerate(s)) % 10)


def pad(s: str, n: int) -> str:
    assert len(s) <= n, (s, n)
    return s.ljust(n, "<")


def td3_lines(code, issuing, surname, given, number, nationality, birth, sex, expiry, optional="",
              empty_optional_check="0"):
    l1 = pad(code, 2) + pad(issuing, 3) + mrz_name_field(surname, given, 39)
    num, opt = pad(number, 9), pad(optional, 14)
    opt_cd = empty_optional_check if opt == "<" * 14 else check_digit(opt)
    l2 = num + check_digit(num) + pad(nationality, 3) + birth + check_digit(birth) + sex
    l2 += expiry + check_digit(expiry) + opt + opt_cd
    l2 += check_digit(l2[0:10] + l2[13:20] + l2[21:43])
    return [l1, l2]


def td1_lines(code, issuing, surname, given, number, nationality, birth, sex, expiry, optional="",
              optional2=""):
    num = pad(number, 9)
    l1 = pad(code, 2) + pad(issuing, 3) + num + check_digit(num) + pad(optional, 15)
    l2 = birth + check_digit(birth) + sex + expiry + check_digit(expiry) + pad(nationality, 3)
    l2 += pad(optional2, 11)
    l2 += check_digit(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29])
    return [l1, l2, mrz_name_field(surname, given, 30)]


# (line, position) of each check digit
CHECK_POSITIONS = {
    "TD3": {"number": (1, 9), "birth": (1, 19), "expiry": (1, 27), "optional": (1, 42), "composite": (1, 43)},
    "TD1": {"number": (0, 14), "birth": (1, 6), "expiry": (1, 14), "composite": (1, 29)},
}


def failed_checks(lines: list[str]) -> list[str]:
    if len(lines) == 2:
        l2 = lines[1]
        spans = {"number": l2[0:9], "birth": l2[13:19], "expiry": l2[21:27], "optional": l2[28:42],
                 "composite": l2[0:10] + l2[13:20] + l2[21:43]}
        fmt = "TD3"
    else:
        l1, l2 = lines[0], lines[1]
        spans = {"number": l1[5:14], "birth": l2[0:6], "expiry": l2[8:14],
                 "composite": l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29]}
        fmt = "TD1"
    bad = []
    for k, span in spans.items():
        li, pos = CHECK_POSITIONS[fmt][k]
        got = lines[li][pos]
        if k == "optional" and got == "<" and span == "<" * 14:
            continue  # ICAO: an unused personal-number field may have '<' as its check digit
        if got != check_digit(span):
            bad.append(k)
    return bad


def alter_check_digit(lines: list[str], fmt: str, which: str, rng) -> list[str]:
    """One character changed: the check digit `which` (the composite is not recomputed)."""
    li, pos = CHECK_POSITIONS[fmt][which]
    old = lines[li][pos]
    new = str((int(old if old != "<" else "0") + int(rng.integers(1, 10))) % 10)
    out = list(lines)
    out[li] = out[li][:pos] + new + out[li][pos + 1:]
    return out


def resolve_birth(yymmdd: str, today: dt.date) -> dt.date:
    """The most recent past century."""
    yy, mm, dd = int(yymmdd[0:2]), int(yymmdd[2:4]), int(yymmdd[4:6])
    year = 2000 + yy
    try:
        d = dt.date(year, mm, dd)
    except ValueError:  # 29 Feb of a century year that is no leap year
        d = dt.date(year - 100, mm, dd)
    return d if d <= today else d.replace(year=year - 100)


def resolve_expiry(yymmdd: str) -> dt.date:
    return dt.date(2000 + int(yymmdd[0:2]), int(yymmdd[2:4]), int(yymmdd[4:6]))


def mrz_fields(lines: list[str], today: dt.date) -> dict:
    """The label's fields, read back from the MRZ itself (what a reader should output)."""
    if len(lines) == 2:
        l1, l2 = lines
        code, issuing, names = l1[0:2], l1[2:5], l1[5:44]
        number, nat, birth, sex, expiry = l2[0:9], l2[10:13], l2[13:19], l2[20], l2[21:27]
    else:
        l1, l2, l3 = lines
        code, issuing, number, names = l1[0:2], l1[2:5], l1[5:14], l3
        birth, sex, expiry, nat = l2[0:6], l2[7], l2[8:14], l2[15:18]
    surname, _, given = names.partition("<<")
    return {
        "document_code": code.strip("<"),
        "issuing_country": issuing.strip("<"),
        "surname": surname.replace("<", " ").strip(),
        "given_names": " ".join(given.replace("<", " ").split()),
        "number": number.strip("<"),
        "nationality": nat.strip("<"),
        "birth_date": resolve_birth(birth, today).isoformat(),
        "sex": sex if sex in "MF" else "<",  # '<': unspecified (X on the page)
        "expiry_date": resolve_expiry(expiry).isoformat(),
    }


# --------------------------------------------------------------------------------------------
# Random people and documents

def pick(rng, seq):
    return seq[int(rng.integers(len(seq)))]


def rand_date(rng, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=int(rng.integers(0, (end - start).days + 1)))


def random_person(rng) -> dict:
    surname = pick(rng, SURNAMES)
    if rng.random() < 0.15:
        surname += pick(rng, ["-", " "]) + pick(rng, SURNAMES)
    n = int(rng.choice([1, 1, 2, 2, 2, 3, 4]))
    given = []
    while len(given) < n:
        g = pick(rng, GIVEN_NAMES)
        if g not in given:
            given.append(g)
    birth = rand_date(rng, dt.date(1950, 1, 1), dt.date(2008, 12, 31))
    if rng.random() < 0.1:
        expiry = rand_date(rng, dt.date(2016, 1, 1), dt.date(2024, 12, 31))  # already expired
    else:
        expiry = rand_date(rng, dt.date(2027, 1, 1), dt.date(2036, 12, 31))
    r = rng.random()
    sex = "M" if r < 0.45 else "F" if r < 0.9 else "<"
    return {"surname": surname, "given": " ".join(given), "birth": birth, "expiry": expiry, "sex": sex}


def issue_date(rng, expiry: dt.date, years: int) -> dt.date:
    """`years` before the expiry, but never after 2025-06-01 (no document issued in the future)."""
    d = dt.date(expiry.year - years, expiry.month, min(expiry.day, 28)) + dt.timedelta(days=1)
    latest = dt.date(2025, 6, 1) - dt.timedelta(days=int(rng.integers(0, 400)))
    return min(d, latest)


def random_docnum(rng) -> str:
    L, D = "ABCDEFGHIJKLMNOPRSTUVWXYZ", "0123456789"
    k = int(rng.integers(5))
    if k == 0:
        s = "".join(pick(rng, L) for _ in range(2)) + "".join(pick(rng, D) for _ in range(7))
    elif k == 1:
        s = "".join(pick(rng, D) for _ in range(9))
    elif k == 2:  # 8 characters: '<' filler
        s = pick(rng, L) + "".join(pick(rng, D) for _ in range(7))
    elif k == 3:
        s = "".join(pick(rng, L + D) for _ in range(9))
    else:  # 6 or 7 characters
        s = "".join(pick(rng, D) for _ in range(int(rng.integers(6, 8))))
    return s


def random_optional(rng, width: int) -> str:
    n = int(rng.integers(6, width + 1))
    s = "".join(pick(rng, "0123456789") for _ in range(n))
    if n > 8 and rng.random() < 0.3:
        i = int(rng.integers(2, n - 2))
        s = s[:i] + "<" + s[i + 1:]
    return s


# --------------------------------------------------------------------------------------------
# Drawing

@functools.lru_cache(maxsize=64)
def font(path: str, px: int) -> ImageFont.FreeTypeFont:
    if not os.path.exists(path):
        path = OCRB_PATH  # DejaVu missing: fall back to OCR-B for the printed fields
    return ImageFont.truetype(path, max(1, px))


@functools.lru_cache(maxsize=16)
def ocrb_metrics(px: int):
    f = font(OCRB_PATH, px)
    box = f.getbbox("H", anchor="ls")
    return f, -box[1], f.getlength("<")  # font, cap height, advance


class Page:
    """A document side drawn at ppm pixels per millimetre; coordinates in mm."""

    def __init__(self, w_mm, h_mm, ppm, rng, palette=None):
        self.w_mm, self.h_mm, self.ppm, self.rng = w_mm, h_mm, ppm, rng
        self.W, self.H = round(w_mm * ppm), round(h_mm * ppm)
        self.palette = palette or pick(rng, PALETTES)
        self.img = self._paper()
        self.d = ImageDraw.Draw(self.img)

    def px(self, mm):
        return mm * self.ppm

    def _paper(self):
        c1, c2, _ = (np.array(c, np.float32) for c in self.palette)
        gx = np.linspace(0, 1, 32, dtype=np.float32)[None, :, None]
        gy = np.linspace(0, 1, 24, dtype=np.float32)[:, None, None]
        a = float(self.rng.uniform(0.3, 0.7))
        t = np.clip(a * gx + (1 - a) * gy + self.rng.normal(0, 0.08, (24, 32, 1)), 0, 1)
        small = (c1 * (1 - t) + c2 * t).astype(np.uint8)
        return Image.fromarray(small, "RGB").resize((self.W, self.H), RES.BILINEAR)

    def text(self, x, y, s, size, bold=False, fill=INK, anchor="la", max_w=None):
        px = round(self.px(size))
        f = font(SANS_BOLD_PATH if bold else SANS_PATH, px)
        if max_w is not None:
            while px > 6 and f.getlength(s) > self.px(max_w):
                px -= 1
                f = font(SANS_BOLD_PATH if bold else SANS_PATH, px)
        self.d.text((self.px(x), self.px(y)), s, font=f, fill=fill, anchor=anchor)

    def field(self, x, y, label, value, vsize=2.6, max_w=None):
        self.text(x, y, label, 1.45, fill=(70, 70, 80))
        self.text(x, y + 1.9, value, vsize, max_w=max_w)

    def guilloche(self, n=36, amp=(0.02, 0.05), y0=0.0, y1=None):
        _, _, col = self.palette
        col = tuple(int(c) for c in col)
        W = self.W
        y1 = self.H if y1 is None else self.px(y1)
        y0 = self.px(y0)
        xs = np.linspace(-10, W + 10, 220)
        for fam in range(2):
            f1 = float(self.rng.uniform(1.0, 3.0))
            f2 = float(self.rng.uniform(6.0, 12.0))
            a = float(self.rng.uniform(*amp)) * self.H
            ph0 = float(self.rng.uniform(0, 2 * math.pi))
            for k in range(n):
                base = y0 + (y1 - y0) * (k + 0.5 * fam) / n
                ph = ph0 + k * 2 * math.pi / n * (1 if fam else -1)
                ys = base + a * np.sin(2 * math.pi * f1 * xs / W + ph) + 0.25 * a * np.sin(2 * math.pi * f2 * xs / W + 3 * ph)
                self.d.line(list(zip(xs.tolist(), ys.tolist())), fill=col, width=1)

    def rosette(self, cx, cy, r, petals=None):
        _, _, col = self.palette
        col = tuple(int(c) for c in col)
        petals = petals or int(self.rng.integers(9, 17))
        t = np.linspace(0, 2 * math.pi, 700)
        R = self.px(r)
        for k in range(10):
            ph = k * math.pi / (10 * petals)
            rr = R * (0.55 + 0.35 * np.cos(petals * (t + ph)) ** 2) * (0.75 + 0.025 * k)
            pts = list(zip((self.px(cx) + rr * np.cos(t)).tolist(), (self.px(cy) + rr * np.sin(t)).tolist()))
            self.d.line(pts, fill=col, width=1)

    def microtext(self, y, s, size=0.7):
        _, _, col = self.palette
        line = (s + " ") * 80
        self.text(0.5, y, line, size, fill=tuple(int(c * 0.9) for c in col))

    def lighten(self, x0, y0, x1, y1, amount=0.55):
        box = tuple(round(self.px(v)) for v in (x0, y0, x1, y1))
        region = self.img.crop(box)
        white = Image.new("RGB", region.size, (250, 250, 248))
        self.img.paste(Image.blend(region, white, amount), box[:2])

    def photo(self, face_img, x, y, w, h, gray=False, alpha=1.0):
        box = (round(self.px(x)), round(self.px(y)), round(self.px(x + w)), round(self.px(y + h)))
        im = face_img.resize((box[2] - box[0], box[3] - box[1]), RES.LANCZOS)
        if gray:
            im = ImageOps.grayscale(im).convert("RGB")
        if alpha < 1.0:
            region = self.img.crop(box)
            im = Image.blend(region, ImageOps.grayscale(im).convert("RGB"), alpha)
        self.img.paste(im, box[:2])

    def signature(self, x, y, w, h):
        t = np.linspace(0, 1, 160)
        r = self.rng
        xs = self.px(x) + self.px(w) * (t + 0.04 * np.sin(2 * math.pi * t * r.uniform(4, 9)))
        ys = self.px(y + h / 2) + self.px(h / 2) * (0.6 * np.sin(2 * math.pi * t * r.uniform(3, 7) + r.uniform(0, 6))
                                                   * np.exp(-1.5 * t) + 0.3 * np.sin(2 * math.pi * t * r.uniform(9, 14)))
        self.d.line(list(zip(xs.tolist(), ys.tolist())), fill=(30, 40, 110), width=max(1, round(self.px(0.25))))

    def mrz(self, lines, left_mm, centres_mm):
        """OCR-B, pitch 2.54 mm, character (cap) height 2.4 mm."""
        px = round(self.px(2.4) / 0.73)
        f, cap, adv = ocrb_metrics(px)
        pitch = self.px(2.54)
        x0 = self.px(left_mm)
        for line, cy in zip(lines, centres_mm):
            base = self.px(cy) + cap / 2
            for i, c in enumerate(line):
                self.d.text((x0 + i * pitch + (pitch - adv) / 2, base), c, font=f, fill=INK, anchor="ls")

    def barcode(self, codes, x_mm, y_mm, module_mm, ratio):
        """A PDF417 symbol from pdf417gen codewords, area-sampled at this page's resolution."""
        sym = pdf417gen.render_image(codes, scale=1, ratio=ratio, padding=0)
        w, h = sym.size
        bw, bh = round(self.px(w * module_mm)), round(self.px(h * module_mm))
        sym = sym.convert("L").resize((bw, bh), RES.BOX)
        q = round(self.px(2 * module_mm))  # quiet zone, white
        x, y = round(self.px(x_mm)), round(self.px(y_mm))
        self.d.rectangle((x - q, y - q, x + bw + q, y + bh + q), fill=(250, 250, 248))
        self.img.paste(sym.convert("RGB"), (x, y))
        return bw / self.ppm, bh / self.ppm

    def finish(self, radius_mm=3.18):
        """RGBA with the rounded corners of an ID-1 card (or a passport page) cut out."""
        mask = Image.new("L", self.img.size, 0)
        ImageDraw.Draw(mask).rounded_rectangle((0, 0, self.W - 1, self.H - 1), radius=round(self.px(radius_mm)), fill=255)
        out = self.img.convert("RGBA")
        out.putalpha(mask)
        return out


_face_cache: dict = {}


def load_face(path: str) -> Image.Image:
    """The head and shoulders of a photo, cropped to 35:45 as in a passport photo."""
    if path in _face_cache:
        return _face_cache[path]
    with open(path, "rb") as fh:
        data = fh.read()
    im = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
    W, H = im.size
    box = FACE_BOXES.get(hashlib.sha256(data).hexdigest())
    if box:
        cx, crown, chin = box
        ch = (chin - crown) / 0.72  # head = 72 % of the photo height
        cw = ch * 35 / 45
        top = crown - 0.12 * ch
    else:
        cw = min(W, H * 35 / 45)
        ch = cw * 45 / 35
        cx, top = W / 2, max(0, (H - ch) * 0.3)
    left = min(max(0, cx - cw / 2), max(0, W - cw))
    top = min(max(0, top), max(0, H - ch))
    crop = im.crop((round(left), round(top), round(left + cw), round(top + ch)))
    crop.thumbnail((420, 540), RES.LANCZOS)
    _face_cache[path] = crop
    return crop


def fmt_date(d: dt.date, style="dmy") -> str:
    mon = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"][d.month - 1]
    if style == "dmy":
        return f"{d.day:02d} {mon} {d.year}"
    if style == "us":
        return f"{d.month:02d}/{d.day:02d}/{d.year}"
    return f"{d.year}/{d.month:02d}/{d.day:02d}"


# --------------------------------------------------------------------------------------------
# Documents

def render_td3(doc: dict, rng, face: Image.Image | None, ppm=12.0) -> Image.Image:
    """TD3 passport data page, 125 x 88 mm."""
    p = Page(125, 88, ppm, rng)
    p.guilloche(n=34, y1=64.8)
    p.rosette(float(rng.uniform(90, 112)), float(rng.uniform(25, 45)), float(rng.uniform(14, 20)))
    p.microtext(12.3, COUNTRIES.get(doc["issuing"], "UTOPIA").replace(" ", ""))
    country = COUNTRIES.get(doc["issuing"], doc["issuing"])
    p.text(62.5, 3.0, country, 3.4, bold=True, fill=(40, 40, 90), anchor="ma", max_w=110)
    p.text(6, 7.6, "PASSPORT", 2.2, bold=True, fill=(40, 40, 90))
    p.text(6, 10.2 - 0.1, "PASSEPORT", 1.5, fill=(40, 40, 90))
    if face is not None:
        p.photo(face, 6, 15, 32, 42, gray=bool(rng.random() < 0.35))
        p.photo(face, 107, 30, 13, 17, alpha=0.28)  # ghost image
    x = 43
    p.field(x, 13.5, "Type/Type", doc["code"].strip("<"))
    p.field(x + 16, 13.5, "Code/Code", doc["issuing"].strip("<"))
    p.field(x + 42, 13.5, "Passport No./N° du passeport", doc["number"])
    p.field(x, 20.0, "Surname/Nom", doc["surname"].upper(), max_w=78)
    p.field(x, 26.5, "Given names/Prénoms", doc["given"].upper(), max_w=78)
    p.field(x, 33.0, "Nationality/Nationalité", COUNTRIES.get(doc["nationality"], doc["nationality"]), max_w=60)
    p.field(x, 39.5, "Date of birth/Date de naissance", fmt_date(doc["birth"]))
    if doc.get("optional"):
        p.field(x + 42, 39.5, "Personal No./N° personnel", doc["optional"].replace("<", " "))
    p.field(x, 46.0, "Sex/Sexe", {"<": "X"}.get(doc["sex"], doc["sex"]))
    p.field(x + 16, 46.0, "Place of birth/Lieu de naissance", doc["place"])
    p.field(x, 52.5, "Date of issue/Date de délivrance", fmt_date(doc["issue"]))
    p.field(x + 42, 52.5, "Authority/Autorité", doc["authority"], max_w=36)
    p.field(x, 59.0, "Date of expiry/Date d'expiration", fmt_date(doc["expiry"]))
    p.text(x + 42, 59.0, "Holder's signature/Signature du titulaire", 1.45, fill=(70, 70, 80))
    p.signature(x + 44, 60.8, 26, 3.4)
    # the MRZ zone: the bottom 23.2 mm, lighter; lower line centred 7.0 mm above the edge
    p.lighten(0, 64.8, 125, 88, 0.6)
    p.mrz(doc["mrz"], (125 - 44 * 2.54) / 2, [88 - 13.7, 88 - 7.0])
    return p.finish(3.0)


def render_td1_front(doc: dict, rng, face, ppm=17.5, palette=None) -> Image.Image:
    p = Page(85.6, 54, ppm, rng, palette)
    p.guilloche(n=26)
    p.rosette(float(rng.uniform(62, 76)), float(rng.uniform(30, 42)), float(rng.uniform(9, 12)))
    country = COUNTRIES.get(doc["issuing"], doc["issuing"])
    p.text(42.8, 2.2, country, 2.6, bold=True, fill=(40, 40, 90), anchor="ma", max_w=80)
    p.text(42.8, 5.6, "IDENTITY CARD / CARTE D'IDENTITÉ", 1.7, fill=(40, 40, 90), anchor="ma")
    if face is not None:
        p.photo(face, 4, 11, 23, 30, gray=bool(rng.random() < 0.5))
        p.photo(face, 72, 36, 9, 12, alpha=0.3)
    x = 30
    p.field(x, 10.0, "Surname/Nom", doc["surname"].upper(), vsize=2.3, max_w=53)
    p.field(x, 16.0, "Given names/Prénoms", doc["given"].upper(), vsize=2.3, max_w=53)
    p.field(x, 22.0, "Sex/Sexe", {"<": "X"}.get(doc["sex"], doc["sex"]), vsize=2.3)
    p.field(x + 14, 22.0, "Nationality/Nationalité", doc["nationality"].strip("<"), vsize=2.3)
    p.field(x, 28.0, "Date of birth/Date de naissance", fmt_date(doc["birth"]), vsize=2.3)
    p.field(x, 34.0, "Document No./N° du document", doc["number"], vsize=2.3)
    p.field(x, 40.0, "Date of expiry/Date d'expiration", fmt_date(doc["expiry"]), vsize=2.3)
    p.signature(5, 45.5, 24, 4.5)
    return p.finish()


def render_td1_back(doc: dict, rng, ppm=17.5, palette=None) -> Image.Image:
    p = Page(85.6, 54, ppm, rng, palette)
    p.guilloche(n=24, y1=36.1)
    p.field(4, 3.0, "Address/Adresse", f"{int(rng.integers(1, 200))} {pick(rng, STREETS)}, {doc['place']}", vsize=2.1, max_w=76)
    p.field(4, 9.5, "Date of issue/Date de délivrance", fmt_date(doc["issue"]), vsize=2.1)
    p.field(46, 9.5, "Authority/Autorité", doc["authority"], vsize=2.1, max_w=36)
    p.field(4, 16.0, "Place of birth/Lieu de naissance", doc["place"], vsize=2.1)
    p.field(46, 16.0, "Height/Taille", f"{int(rng.integers(150, 200))} cm", vsize=2.1)
    p.microtext(23.5, COUNTRIES.get(doc["issuing"], "UTOPIA").replace(" ", ""), 0.6)
    p.rosette(float(rng.uniform(60, 75)), 29.0, 5.5)
    # MRZ zone: the bottom 17.9 mm; three lines 5.0 mm apart, the lowest centred 3.9 mm above the edge
    p.lighten(0, 36.1, 85.6, 54, 0.6)
    p.mrz(doc["mrz"], (85.6 - 30 * 2.54) / 2, [54 - 13.9, 54 - 8.9, 54 - 3.9])
    return p.finish()


def render_licence_front(lic: dict, rng, face, ppm=17.5, palette=None) -> Image.Image:
    p = Page(85.6, 54, ppm, rng, palette)
    p.guilloche(n=22, amp=(0.03, 0.07))
    can = lic["country"] == "CAN"
    hdr = (30, 70, 130) if not can else (20, 90, 60)
    p.d.rectangle((0, 0, p.W, round(p.px(8.5))), fill=hdr)
    p.text(4, 1.0, lic["jurisdiction_name"], 3.4, bold=True, fill=(255, 255, 255), max_w=52)
    p.text(81.6, 1.3, "DRIVER'S LICENCE" if can else "DRIVER LICENSE", 2.0, bold=True, fill=(255, 240, 200), anchor="ra")
    if can:
        p.text(81.6, 4.6, "PERMIS DE CONDUIRE", 1.6, fill=(255, 240, 200), anchor="ra")
    if face is not None:
        p.photo(face, 3.5, 11, 23, 30)
        p.photo(face, 70, 36, 9, 12, alpha=0.3)
    style = "iso" if can else "us"
    x = 29.5
    p.text(x, 10.0, "DL " + lic["number"], 2.6, bold=True, fill=(150, 20, 20), max_w=54)
    p.text(x, 14.0, "EXP " + fmt_date(lic["expiry"], style), 2.2, bold=True, fill=(150, 20, 20))
    p.text(x, 18.0, "LN " + lic["surname"], 2.3, max_w=54)
    p.text(x, 21.6, "FN " + " ".join(v for v in (lic["first"], lic["middle"]) if v), 2.3, max_w=54)
    p.text(x, 25.2, lic["street"], 1.9, max_w=54)
    postal = lic["postal"].strip()
    postal = postal if can else postal[:5] + "-" + postal[5:]
    p.text(x, 28.0, f"{lic['city']}, {lic['jurisdiction']} {postal}", 1.9, max_w=54)
    p.text(x, 31.5, "DOB " + fmt_date(lic["birth"], style), 2.2, bold=True, fill=(150, 20, 20))
    p.text(x, 35.0, f"CLASS {lic['class']}   RSTR {lic['restrictions']}   END {lic['endorsements']}", 1.7, max_w=40)
    sex = {"1": "M", "2": "F", "9": "X"}[lic["sex"]]
    hv = int(lic["height"][:3])
    hgt = f"{hv} cm" if can else f"{hv // 12}'-{hv % 12:02d}\""
    p.text(x, 38.0, f"SEX {sex}  HGT {hgt}  EYES {lic['eyes']}", 1.7, max_w=40)
    p.text(x, 41.0, "ISS " + fmt_date(lic["issue"], style) + "   DD " + lic["discriminator"][:12], 1.5, max_w=40)
    p.signature(4, 45.5, 24, 4.5)
    return p.finish()


def render_licence_back(lic: dict, rng, ppm=17.5, palette=None):
    p = Page(85.6, 54, ppm, rng, palette)
    p.guilloche(n=18, amp=(0.02, 0.04))
    cols, sec = lic["columns"], lic["security_level"]
    codes = pdf417gen.encode(lic["payload"], columns=cols, security_level=sec)
    n_rows = len(codes)
    modules_w = 17 + 17 + 17 * cols + 17 + 18  # start, left indicator, data, right indicator, stop
    ratio = lic["row_ratio"]
    module = lic["width_frac"] * 85.6 / modules_w
    height = n_rows * ratio * module
    if height > 40:  # keep the symbol on the card: fewer rows per mm
        module = module * 40 / height
    bw = modules_w * module
    bh = n_rows * ratio * module
    x = (85.6 - bw) / 2
    top = rng.random() < 0.5  # the symbol at the top of the back (as in CA) or at the bottom
    y = float(rng.uniform(3.0, 5.0)) if top else 54 - bh - float(rng.uniform(3.0, 5.0))
    ty = y + bh + 3.0 if top else 2.0
    title = lic["jurisdiction_name"] + " — " + ("DRIVER'S LICENCE" if lic["country"] == "CAN" else "DRIVER LICENSE")
    lines = ["This card is the property of the issuing jurisdiction. If found, return it to",
             "the Department of Motor Vehicles. Organ donor: see the registry."]
    room = (54 - 2.5 - ty) if top else (y - 2.5 - ty)
    if room > 3:
        p.text(4, ty, title, 1.7, bold=True, max_w=77)
    for i, line in enumerate(lines):
        if room > 6 + 2 * i:
            p.text(4, ty + 3 + 2 * i, line, 1.3, max_w=77)
    p.barcode(codes, x, y, module, ratio)
    lic["module_mm"], lic["rows"] = round(module, 4), n_rows
    return p.finish()


# --------------------------------------------------------------------------------------------
# Photographing: perspective, rotation, glare, blur, noise, JPEG

LEVELS = {
    "default": dict(fill=(0.70, 0.90), jitter=0.04, rot=6.0, blur=(0.5, 1.2), jpeg=(55, 85),
                    glare=(0.25, 0.5), glare_size=(0.10, 0.25), gain=(0.95, 1.15), contrast=(0.88, 1.06),
                    noise=(2.0, 5.0)),
    "strong": dict(fill=(0.60, 0.90), jitter=0.08, rot=12.0, blur=(1.0, 2.0), jpeg=(35, 60),
                   glare=(0.45, 0.75), glare_size=(0.15, 0.35), gain=(0.78, 1.25), contrast=(0.75, 1.05),
                   noise=(4.0, 9.0)),
}


def perspective_coeffs(dst, src):
    """PIL PERSPECTIVE data mapping output points dst to input points src."""
    A, b = [], []
    for (x, y), (u, v) in zip(dst, src):
        A.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        A.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        b += [u, v]
    return np.linalg.solve(np.array(A, np.float64), np.array(b, np.float64)).tolist()


def _smooth_noise(rng, W, H, cell, mode=RES.BICUBIC) -> np.ndarray:
    """Noise of feature size ~cell px, zero mean, unit-ish amplitude, (H, W) float32."""
    small = rng.integers(0, 256, (H // cell + 2, W // cell + 2), dtype=np.uint8)
    big = Image.fromarray(small, "L").resize((W, H), mode)
    return (np.asarray(big, np.float32) - 127.5) / 74.0


def background(W, H, rng, shade: np.ndarray) -> Image.Image:
    """A random desk / cloth texture at half resolution, darkened by `shade` (H/2, W/2) in 0..1
    (the page's shadow), scaled to W x H."""
    W2, H2 = W // 2, H // 2
    kind = int(rng.integers(4))
    base = np.array(pick(rng, [(120, 84, 52), (160, 120, 80), (70, 70, 75), (200, 200, 196), (40, 44, 60),
                               (30, 30, 30), (180, 170, 150), (90, 110, 130)]), np.float32)
    lo = _smooth_noise(rng, W2, H2, 16)
    tex = 14 * lo
    if kind == 0:  # wood grain
        y = np.arange(H2, dtype=np.float32)[:, None]
        f = float(rng.uniform(0.04, 0.12))
        tex += 18 * np.sin(f * y + 4 * lo)
    elif kind == 1:  # woven cloth
        x = np.arange(W2, dtype=np.float32)[None, :]
        y = np.arange(H2, dtype=np.float32)[:, None]
        tex += 10 * np.sin(x * 1.9) * np.sin(y * 1.9)
    tex += 5 * _smooth_noise(rng, W2, H2, 1, RES.NEAREST)
    lum = (1.0 - 0.45 * shade)[..., None]
    half = Image.fromarray(np.clip((base + tex[..., None]) * lum, 0, 255).astype(np.uint8))
    return half.resize((W, H), RES.BILINEAR)


def photograph(doc: Image.Image, level: str, rng) -> Image.Image:
    if level == "clean":  # a straight scan: the page on white, light paper noise
        W = LONG_SIDE
        m = 16
        w = W - 2 * m
        h = round(doc.height * w / doc.width)
        im = doc.resize((w, h), RES.LANCZOS)
        out = Image.new("RGB", (W, h + 2 * m), (250, 250, 250))
        out.paste(im, (m, m), im)
        arr = np.asarray(out, np.float32) + rng.normal(0, 1.0, (out.height, out.width, 1)).astype(np.float32)
        return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    P = LEVELS[level]
    W, H = (LONG_SIDE, 960) if rng.random() < 0.7 else (LONG_SIDE, 720)
    aspect = doc.height / doc.width
    fill = float(rng.uniform(*P["fill"]))
    theta = math.radians(float(rng.uniform(-P["rot"], P["rot"])))
    jit = rng.uniform(-P["jitter"], P["jitter"], (4, 2))
    for _ in range(30):  # shrink until the page is in the frame
        dw = fill * W
        dh = dw * aspect
        rect = np.array([[-dw / 2, -dh / 2], [dw / 2, -dh / 2], [dw / 2, dh / 2], [-dw / 2, dh / 2]])
        rot = np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
        pts = rect @ rot.T + jit * dw
        span_x = pts[:, 0].max() - pts[:, 0].min()
        span_y = pts[:, 1].max() - pts[:, 1].min()
        if span_x <= W * 0.97 and span_y <= H * 0.95:
            break
        fill *= 0.96
    cx = W / 2 + float(rng.uniform(-0.4, 0.4)) * (W - span_x) - (pts[:, 0].max() + pts[:, 0].min()) / 2
    cy = H / 2 + float(rng.uniform(-0.4, 0.4)) * (H - span_y) - (pts[:, 1].max() + pts[:, 1].min()) / 2
    dst = pts + [cx, cy]
    # the page pre-scaled close to its size in the frame, then warped at ~1:1
    sw = max(8, round(dw * 1.05))
    sh = max(8, round(sw * aspect))
    small = doc.resize((sw, sh), RES.BILINEAR)
    src = [(0, 0), (sw, 0), (sw, sh), (0, sh)]
    warped = small.transform((W, H), Image.Transform.PERSPECTIVE, perspective_coeffs(dst.tolist(), src), RES.BILINEAR)
    # the shadow under the page, then the page
    sa = warped.getchannel("A").resize((W // 8, H // 8), RES.BILINEAR).filter(ImageFilter.GaussianBlur(2.5))
    shift = int(rng.integers(2, 7))
    sa = np.roll(np.asarray(sa.resize((W // 2, H // 2), RES.BILINEAR), np.float32) / 255.0, (shift, shift // 2), axis=(0, 1))
    img = background(W, H, rng, sa)
    img.paste(warped, (0, 0), warped)
    # glare: a soft white ellipse somewhere on the page
    g = Image.new("L", (W // 8, H // 8), 0)
    gx = dst[:, 0].mean() + rng.uniform(-0.35, 0.35) * dw
    gy = dst[:, 1].mean() + rng.uniform(-0.35, 0.35) * dh
    ax = float(rng.uniform(*P["glare_size"])) * W / 8
    ay = ax * float(rng.uniform(0.4, 1.0))
    peak = round(255 * float(rng.uniform(*P["glare"])))
    ImageDraw.Draw(g).ellipse((gx / 8 - ax, gy / 8 - ay, gx / 8 + ax, gy / 8 + ay), fill=peak)
    g = g.filter(ImageFilter.GaussianBlur(max(1.0, ax / 3))).resize((W, H), RES.BILINEAR)
    img = Image.composite(Image.new("RGB", (W, H), (255, 255, 255)), img, g)
    img = img.filter(ImageFilter.GaussianBlur(float(rng.uniform(*P["blur"]))))
    # exposure: contrast, gain and a slight colour cast (a lookup table), uneven light (a smooth
    # field multiplied in), then sensor noise
    gain = float(rng.uniform(*P["gain"]))
    contrast = float(rng.uniform(*P["contrast"]))
    cast = rng.uniform(0.96, 1.04, 3)
    v = np.arange(256, dtype=np.float64)
    lut = np.concatenate([(v - 128.0) * contrast * gain * c + 128.0 * gain * c for c in cast])
    img = img.point(np.clip(np.rint(lut), 0, 255).astype(np.uint8).tolist())
    light = rng.uniform(0.84, 1.0, (3, 4)) * 255
    light = Image.fromarray(light.astype(np.uint8), "L").resize((W, H), RES.BICUBIC)
    img = ImageChops.multiply(img, Image.merge("RGB", (light, light, light)))
    sigma = float(rng.uniform(*P["noise"]))
    noise = np.clip(128.0 + sigma * rng.standard_normal((H, W), dtype=np.float32), 0, 255).astype(np.uint8)
    noise = Image.fromarray(noise, "L")
    return ImageChops.add(img, Image.merge("RGB", (noise, noise, noise)), 1.0, -128)


def save_jpeg(img: Image.Image, path: str, level: str, rng):
    q = 92 if level == "clean" else int(rng.integers(*LEVELS[level]["jpeg"]) if level in LEVELS else 80)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    img.save(path, "JPEG", quality=q)


# --------------------------------------------------------------------------------------------
# AAMVA

def aamva_date(d: dt.date, country: str) -> str:
    return f"{d.year:04d}{d.month:02d}{d.day:02d}" if country == "CAN" else f"{d.month:02d}{d.day:02d}{d.year:04d}"


def aamva_name(name: str, limit=40):
    s = translit(name, icao=False)
    s = "".join(c if ("A" <= c <= "Z" or c in " -'") else "" for c in s)
    s = " ".join(s.split())
    return (s[:limit], "T") if len(s) > limit else (s, "N")


def licence_number(rng, juris: str) -> str:
    D, L = "0123456789", "ABCDEFGHJKLMNPRSTUVWXYZ"
    r = lambda n, a=D: "".join(pick(rng, a) for _ in range(n))  # noqa: E731
    if juris == "CA":
        return pick(rng, L) + r(7)
    if juris == "ON":
        return f"{pick(rng, L)}{r(4)}-{r(5)}-{r(5)}"
    if juris in ("NY", "VA"):
        return r(9)
    if juris == "TX":
        return r(8)
    if juris == "FL":
        return pick(rng, L) + r(12)
    if juris == "WA":
        return "WDL" + r(9, L + D)
    return pick(rng, L) + r(int(rng.integers(7, 10)))


def aamva_payload(lic: dict) -> str:
    """AAMVA DL/ID card design standard 2016, version 08/09: header, subfile designators, a DL
    subfile and a jurisdiction subfile; elements separated by LF, each subfile ended by CR."""
    c = lic["country"]
    els = [
        ("DCA", lic["class"]), ("DCB", lic["restrictions"]), ("DCD", lic["endorsements"]),
        ("DBA", aamva_date(lic["expiry"], c)), ("DCS", lic["surname"]), ("DAC", lic["first"]),
        ("DAD", lic["middle"] or "NONE"), ("DBD", aamva_date(lic["issue"], c)),
        ("DBB", aamva_date(lic["birth"], c)), ("DBC", lic["sex"]), ("DAY", lic["eyes"]),
        ("DAU", lic["height"]), ("DAG", lic["street"]), ("DAI", lic["city"]), ("DAJ", lic["jurisdiction"]),
        ("DAK", lic["postal"]), ("DAQ", lic["number"]), ("DCF", lic["discriminator"]), ("DCG", c),
        ("DDE", lic["trunc_surname"]), ("DDF", lic["trunc_first"]), ("DDG", lic["trunc_middle"]),
        ("DAZ", lic["hair"]), ("DCK", lic["inventory"]), ("DDA", "F"), ("DDB", aamva_date(lic["revision"], c)),
    ]
    dl = "DL" + "\n".join(k + v for k, v in els) + "\r"
    z = "Z" + lic["jurisdiction"][0]
    zsub = z + f"{z}A{lic['jurisdiction']}\n{z}B{lic['zb']}\r"
    subfiles = [("DL", dl), (z, zsub)]
    version = lic["aamva_version"]
    header = "@\n\x1e\rANSI " + lic["iin"] + version + lic["jurisdiction_version"] + f"{len(subfiles):02d}"
    offset = len(header) + 10 * len(subfiles)
    designators, body = "", ""
    for typ, data in subfiles:
        designators += f"{typ}{offset:04d}{len(data):04d}"
        offset += len(data)
        body += data
    payload = header + designators + body
    assert payload.isascii()
    return payload


def make_licence(rng, person=None, state=None, country=None, number=None) -> dict:
    if country is None:
        country = "CAN" if rng.random() < 0.2 else "USA"
    if state is None:
        state = "ON" if country == "CAN" else pick(rng, list(US_STATES))
    table = CA_PROVINCES if country == "CAN" else US_STATES
    if state not in table:
        raise SystemExit(f"unknown jurisdiction {state} for {country}: one of {', '.join(table)}")
    iin, jname = table[state]
    person = person or random_person(rng)
    given = person["given"].split()
    first, tf = aamva_name(given[0] if given else "")
    middle, tm = aamva_name(" ".join(given[1:]))
    surname, ts = aamva_name(person["surname"])
    birth, expiry = person["birth"], person["expiry"]
    issue = issue_date(rng, expiry, 5)
    sex = {"M": "1", "F": "2"}.get(person["sex"], "9")
    if country == "CAN":
        height = f"{int(rng.integers(150, 200)):03d} cm"
        postal = (pick(rng, "KLMNP") + str(int(rng.integers(10))) + pick(rng, "ABCEGHJ") + " "
                  + str(int(rng.integers(10))) + pick(rng, "KLMNPRST") + str(int(rng.integers(10)))).ljust(11)
    else:
        height = f"{int(rng.integers(58, 78)):03d} in"
        postal = "".join(str(int(rng.integers(10))) for _ in range(5)) + "0000  "
    lic = {
        "country": country, "jurisdiction": state, "jurisdiction_name": jname, "iin": iin,
        "aamva_version": pick(rng, ["08", "09"]), "jurisdiction_version": pick(rng, ["00", "01", "02"]),
        "class": "G" if country == "CAN" else pick(rng, ["C", "C", "D"]),
        "restrictions": pick(rng, ["NONE", "NONE", "B"]), "endorsements": "NONE",
        "surname": surname, "first": first, "middle": middle,
        "trunc_surname": ts, "trunc_first": tf, "trunc_middle": tm,
        "birth": birth, "expiry": expiry, "issue": issue,
        "revision": dt.date(2018 + int(rng.integers(0, 5)), int(rng.integers(1, 13)), 1),
        "sex": sex, "eyes": pick(rng, EYES), "hair": pick(rng, HAIR), "height": height,
        "street": f"{int(rng.integers(1, 9999))} {pick(rng, STREETS)}",
        "city": pick(rng, US_CITIES.get(state, ["SPRINGFIELD", "RIVERSIDE", "FAIRVIEW", "GREENVILLE"])),
        "postal": postal, "number": number or licence_number(rng, state),
        "discriminator": "".join(pick(rng, "0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(int(rng.integers(10, 21)))),
        "inventory": "".join(pick(rng, "0123456789") for _ in range(int(rng.integers(10, 16)))),
        "zb": pick(rng, ["CORR LENS", "NONE", "VETERAN", "DUP"]),
        "columns": int(pick(rng, [13, 13, 13, 15, 17])), "security_level": int(pick(rng, [5, 5, 5, 4, 3])),
        "width_frac": float(rng.uniform(0.75, 0.85)), "row_ratio": int(pick(rng, [3, 3, 4])),
    }
    lic["payload"] = aamva_payload(lic)
    return lic


def licence_label(lic: dict, file: str) -> dict:
    given = " ".join(v for v in (lic["first"], lic["middle"]) if v)
    return {
        "file": file, "kind": "pdf417", "format": "AAMVA", "source": "synthetic", "valid": True,
        "payload": lic["payload"],
        "fields": {
            "issuing_country": lic["country"], "jurisdiction": lic["jurisdiction"], "surname": lic["surname"],
            "given_names": given, "number": lic["number"], "birth_date": lic["birth"].isoformat(),
            "sex": {"1": "M", "2": "F"}.get(lic["sex"]), "expiry_date": lic["expiry"].isoformat(),
        },
    }


# --------------------------------------------------------------------------------------------
# MRZ documents

def make_mrz_doc(rng, fmt: str, person=None, number=None, issuing=None, nationality=None, code=None,
                 optional=None, optional2=None, altered=None) -> dict:
    person = person or random_person(rng)
    issuing = issuing or pick(rng, COUNTRY_CODES)
    if nationality is None:
        nationality = issuing if rng.random() < 0.85 else pick(rng, COUNTRY_CODES)
    if code is None:
        r = rng.random()
        if fmt == "TD3":
            code = "P<" if r < 0.88 else pick(rng, ["PO", "PD", "PA"])
        else:
            code = "I<" if r < 0.6 else "ID" if r < 0.9 else pick(rng, ["IR", "AC"])
    number = number or random_docnum(rng)
    if optional is None:
        optional = random_optional(rng, 14 if fmt == "TD3" else 15) if rng.random() < 0.3 else ""
    if optional2 is None:
        optional2 = random_optional(rng, 11) if (fmt == "TD1" and rng.random() < 0.15) else ""
    birth, expiry = person["birth"], person["expiry"]
    yymmdd = lambda d: f"{d.year % 100:02d}{d.month:02d}{d.day:02d}"  # noqa: E731
    iss_c, nat_c = issuing if len(issuing) == 3 else pad(issuing, 3), nationality if len(nationality) == 3 else pad(nationality, 3)
    if fmt == "TD3":
        empty_cd = "0" if rng.random() < 0.8 else "<"
        lines = td3_lines(code, iss_c, person["surname"], person["given"], number, nat_c, yymmdd(birth),
                          person["sex"], yymmdd(expiry), optional, empty_cd)
    else:
        lines = td1_lines(code, iss_c, person["surname"], person["given"], number, nat_c, yymmdd(birth),
                          person["sex"], yymmdd(expiry), optional, optional2)
    assert not failed_checks(lines), lines
    if altered:
        lines = alter_check_digit(lines, fmt, altered, rng)
        assert failed_checks(lines), lines
    issue = issue_date(rng, expiry, 10 if fmt == "TD3" else 5)
    return {
        "format": fmt, "code": code, "issuing": issuing, "nationality": nationality, "number": number,
        "surname": person["surname"], "given": person["given"], "birth": birth, "expiry": expiry,
        "issue": issue, "sex": person["sex"], "optional": optional, "mrz": lines, "altered": altered,
        "place": pick(rng, CITIES), "authority": pick(rng, ["MINISTRY OF INTERIOR", "HMPO", "POLICE", "PASSPORT OFFICE", "ÞJÓÐSKRÁ ÍSLANDS"]),
    }


def mrz_label(doc: dict, file: str, today: dt.date, source="synthetic") -> dict:
    return {
        "file": file, "kind": "mrz", "format": doc["format"], "source": source,
        "valid": not failed_checks(doc["mrz"]), "altered": doc.get("altered"), "mrz": doc["mrz"],
        "fields": mrz_fields(doc["mrz"], today),
    }


# --------------------------------------------------------------------------------------------
# Commands

_set_faces: list = []


def _set_task(t):
    """One document of the set: (kind, index, file, altered) -> its label."""
    kind, i, file, altered, seed, out, level, today = t
    rng = np.random.default_rng([seed, kind, i])
    if kind in (0, 1):
        fmt = "TD3" if kind == 0 else "TD1"
        doc = make_mrz_doc(rng, fmt, altered=altered)
        page = render_td3(doc, rng, pick(rng, _set_faces)) if kind == 0 else render_td1_back(doc, rng)
        label = mrz_label(doc, file, today)
    else:
        lic = make_licence(rng)
        page = render_licence_back(lic, rng)
        label = licence_label(lic, file)
    save_jpeg(photograph(page, level, rng), os.path.join(out, file), level, rng)
    return label


def _init_worker(faces):
    _set_faces[:] = [load_face(f) for f in faces]


def cmd_set(a):
    t0 = time.time()
    today = dt.date.today()
    faces = []
    for f in a.faces:
        if os.path.isdir(f):
            faces += sorted(os.path.join(f, n) for n in os.listdir(f) if n.lower().endswith((".jpg", ".jpeg")))
        else:
            faces.append(f)
    if not faces:
        raise SystemExit("--faces: no JPEG found")
    os.makedirs(a.out, exist_ok=True)
    n = a.count
    extra = max(1, round(n * 0.1)) if n else 0
    tasks = []
    for kind, (fmt, prefix) in enumerate([("TD3", "td3"), ("TD1", "td1")]):
        # the altered ones are the last `extra` indices, their file numbers shuffled among the rest
        order = np.random.default_rng([a.seed, 100 + kind]).permutation(n + extra)
        checks = list(CHECK_POSITIONS[fmt])
        for i in range(n + extra):
            altered = checks[i % len(checks)] if i >= n else None
            tasks.append((kind, i, f"{prefix}-{int(order[i]) + 1:04d}.jpg", altered, a.seed, a.out, a.level, today))
    tasks += [(2, i, f"dl-{i + 1:04d}.jpg", None, a.seed, a.out, a.level, today) for i in range(n)]
    if a.jobs > 1:
        import multiprocessing as mp
        with mp.get_context("fork").Pool(a.jobs, _init_worker, (faces,)) as pool:
            docs = pool.map(_set_task, tasks, chunksize=4)
    else:
        _init_worker(faces)
        docs = [_set_task(t) for t in tasks]
    for src, dst, lines in SPECIMENS:
        shutil.copyfile(os.path.join(a.specimens, src), os.path.join(a.out, dst))
        assert not failed_checks(lines), (dst, failed_checks(lines))
        docs.append({"file": dst, "kind": "mrz", "format": "TD3", "source": "specimen", "valid": True,
                     "altered": None, "mrz": lines, "fields": mrz_fields(lines, today)})
    docs.sort(key=lambda d: d["file"])
    with open(os.path.join(a.out, "labels.json"), "w") as fh:
        json.dump({"version": 1, "level": a.level, "documents": docs}, fh, indent=1, ensure_ascii=True)
        fh.write("\n")
    print(f"{len(docs)} documents in {a.out} ({time.time() - t0:.1f} s)", file=sys.stderr)


def person_from_args(a) -> dict:
    today = dt.date.today()
    return {
        "surname": a.surname, "given": a.given, "sex": a.sex,
        "birth": resolve_birth(a.birth, today), "expiry": resolve_expiry(a.expiry),
    }


def cmd_mrz_doc(a, fmt):
    rng = np.random.default_rng([a.seed, 9, 0 if fmt == "TD3" else 1])
    person = person_from_args(a)
    number = a.number or ("L898902C3" if fmt == "TD3" else "D23145890")
    doc = make_mrz_doc(rng, fmt, person=person, number=number, issuing=a.country, nationality=a.nationality,
                       code="P<" if fmt == "TD3" else "I<", optional=a.optional, optional2="",
                       altered=(a.altered or "number") if a.bad_check_digit else None)
    face = load_face(a.face)
    if fmt == "TD3":
        save_jpeg(photograph(render_td3(doc, rng, face), a.level, rng), a.out, a.level, rng)
        label = mrz_label(doc, os.path.basename(a.out), dt.date.today())
    else:
        palette = pick(rng, PALETTES)
        save_jpeg(photograph(render_td1_front(doc, rng, face, palette=palette), a.level, rng), a.out, a.level, rng)
        save_jpeg(photograph(render_td1_back(doc, rng, palette=palette), a.level, rng), a.out_back, a.level, rng)
        label = mrz_label(doc, os.path.basename(a.out_back), dt.date.today())
        label["front"] = os.path.basename(a.out)
    print(json.dumps(label, ensure_ascii=True))


def cmd_licence(a):
    rng = np.random.default_rng([a.seed, 9, 2])
    person = person_from_args(a)
    country = a.country.upper()
    if country not in ("USA", "CAN"):
        raise SystemExit("--country must be USA or CAN for a licence")
    state = a.state or ("ON" if country == "CAN" else "CA")
    lic = make_licence(rng, person=person, state=state, country=country, number=a.number)
    lic.update(columns=13, security_level=5, width_frac=0.8, row_ratio=3)
    lic["payload"] = aamva_payload(lic)
    palette = pick(rng, PALETTES)
    face = load_face(a.face)
    save_jpeg(photograph(render_licence_front(lic, rng, face, palette=palette), a.level, rng), a.out, a.level, rng)
    save_jpeg(photograph(render_licence_back(lic, rng, palette=palette), a.level, rng), a.out_back, a.level, rng)
    label = licence_label(lic, os.path.basename(a.out_back))
    label["front"] = os.path.basename(a.out)
    print(json.dumps(label, ensure_ascii=True))


def yymmdd(s: str) -> str:
    if len(s) != 6 or not s.isdigit():
        raise argparse.ArgumentTypeError("expected YYMMDD")
    dt.date(2000 + int(s[:2]), int(s[2:4]), int(s[4:]))
    return s


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("set", help="the labelled evaluation set")
    s.add_argument("--out", required=True)
    s.add_argument("--specimens", required=True, help="folder with xmrzapp's example.jpg and example1.jpg")
    s.add_argument("--faces", required=True, nargs="+", help="folders of JPEG portraits and/or JPEG files")
    s.add_argument("--count", type=int, default=100, help="documents per kind (default 100)")
    s.add_argument("--level", choices=["default", "strong"], default="default")
    s.add_argument("--seed", type=int, default=7)
    s.add_argument("--jobs", type=int, default=1, help="worker processes (the output does not depend on it)")

    def person_opts(p, licence=False):
        p.add_argument("--face", required=True)
        p.add_argument("--out", required=True)
        p.add_argument("--surname", default="Eriksson")
        p.add_argument("--given", default="Anna Maria")
        p.add_argument("--number", default=None)
        p.add_argument("--birth", type=yymmdd, default="740812")
        p.add_argument("--expiry", type=yymmdd, default="320415")
        p.add_argument("--sex", choices=["M", "F", "<"], default="F")
        p.add_argument("--level", choices=["clean", "default", "strong"], default="clean")
        p.add_argument("--seed", type=int, default=7)
        if licence:
            p.add_argument("--state", default=None, help="e.g. CA (default; USA) or ON (default; CAN)")
            p.add_argument("--country", default="USA", help="USA or CAN")
        else:
            p.add_argument("--country", default="UTO", help="issuing state (ICAO code)")
            p.add_argument("--nationality", default="UTO")
            p.add_argument("--optional", default="", help="optional data / personal number")
            p.add_argument("--bad-check-digit", action="store_true", help="alter one check digit")
            p.add_argument("--altered", choices=["number", "birth", "expiry", "optional", "composite"],
                           default=None, help="which check digit --bad-check-digit alters (default number)")

    p = sub.add_parser("passport", help="one TD3 passport data page")
    person_opts(p)
    p = sub.add_parser("idcard", help="one TD1 card: front and back (MRZ)")
    person_opts(p)
    p.add_argument("--out-back", required=True)
    p = sub.add_parser("licence", help="one US/Canadian licence: front and back (PDF417)")
    person_opts(p, licence=True)
    p.add_argument("--out-back", required=True)
    a = ap.parse_args(argv)
    if a.cmd == "set":
        cmd_set(a)
    elif a.cmd == "licence":
        cmd_licence(a)
    else:
        if a.cmd == "idcard" and a.altered == "optional":
            ap.error("a TD1 card has no optional-data check digit")
        for c in (a.country, a.nationality):
            if not (1 <= len(c) <= 3 and c.isalpha() and c.isupper()):
                ap.error(f"not an ICAO code: {c}")
        cmd_mrz_doc(a, "TD3" if a.cmd == "passport" else "TD1")


if __name__ == "__main__":
    main()
