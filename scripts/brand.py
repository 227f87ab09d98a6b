"""Render the integration's brand images (Home Assistant 2026.3+ serves them from brand/).

Our own simple mark, not Blue Current's trademark: a blue tile with a charging bolt.
Run ``.venv/bin/python scripts/brand.py`` after changing the geometry; the PNGs are committed.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

BRAND = Path(__file__).resolve().parent.parent / "custom_components" / "blue_current" / "brand"
BLUE = (0, 90, 200, 255)
WHITE = (255, 255, 255, 255)
# A lightning bolt on a 16 x 16 grid.
BOLT = [(9, 1), (3, 9), (7.5, 9), (6, 15), (13, 6), (8.5, 6), (10, 1)]


def _icon(size: int) -> Image.Image:
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 5, fill=BLUE)
    scale = size / 16
    draw.polygon([(x * scale, y * scale) for x, y in BOLT], fill=WHITE)
    return image


def _logo(height: int) -> Image.Image:
    font = ImageFont.load_default(size=int(height * 0.55))
    text = "Blue Current"
    left, top, right, bottom = font.getbbox(text)
    width = int(height * 1.2 + right - left)
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    image.alpha_composite(_icon(height))
    draw = ImageDraw.Draw(image)
    y = (height - (bottom - top)) / 2 - top
    draw.text((height + int(height * 0.2), y), text, font=font, fill=BLUE)
    return image


def main() -> None:
    """Write icon, logo and their @2x versions."""
    BRAND.mkdir(exist_ok=True)
    _icon(256).save(BRAND / "icon.png")
    _icon(512).save(BRAND / "icon@2x.png")
    _logo(128).save(BRAND / "logo.png")
    _logo(256).save(BRAND / "logo@2x.png")


if __name__ == "__main__":
    main()
