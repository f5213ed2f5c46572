"""What a person sees: a control is visible, has a size, and sits inside the viewport at each width.

A script can press a button that no person can see (zero width, off the right edge, under a sideways
scroll); these checks fail where a person would not find the control.
"""

from playwright.sync_api import Locator, Page, expect

WIDTHS = (1024, 1280, 1920)

# Every browser context asks for reduced motion, as many people's systems do: Bootstrap then scrolls at
# once instead of smoothly, and a click or a check does not wait out a scrolling animation first. What
# is laid out, and where, is the same.
CONTEXT = {"reduced_motion": "reduce"}
HEIGHT = 900


# Where a control is on the screen, scrolled first to the middle of the screen if asked, how far the page
# scrolls sideways, and the first box around it that cuts part of it off or scrolls sideways (an ancestor that
# hides or scrolls what overflows it: a table wider than its box shows its last column cut, the page itself
# not scrolling), read together after Playwright's visibility check.
MEASURE = """(control, center) => {
  if (center) control.scrollIntoView({block: "center", behavior: "instant"});
  const box = control.getBoundingClientRect();
  const root = document.documentElement;
  let clipped = null;
  for (let outer = control.parentElement; outer && outer !== document.body; outer = outer.parentElement) {
    const style = getComputedStyle(outer);
    if (style.overflowX === "visible" && style.overflowY === "visible") continue;
    const around = outer.getBoundingClientRect();
    const cut = box.left < around.left - 0.5 || box.right > around.right + 0.5 || box.top < around.top - 0.5
        || box.bottom > around.bottom + 0.5;  // half a pixel: layout rounds
    if (cut || outer.scrollWidth > outer.clientWidth + 1) {  // or behind a sideways scroll bar of its box
      clipped = `${outer.tagName.toLowerCase()}${outer.id ? "#" + outer.id : ""}.${outer.className}`;
      break;
    }
  }
  return {x: box.x, y: box.y, width: box.width, height: box.height, clipped: clipped,
          overflow: root.scrollWidth - root.clientWidth};
}"""


def assert_in_view(page: Page, control: Locator, *, scroll: bool | str = True) -> None:
    """At the current viewport: shown, of non-zero size, wholly inside the viewport (once scrolled to, unless
    `scroll` is off; to the middle of the screen with scroll="center"), not cut off by a box around it, and the
    page does not scroll sideways."""
    expect(control).to_be_visible()
    if scroll is True:
        control.scroll_into_view_if_needed()
    box = control.evaluate(MEASURE, scroll == "center")
    viewport = page.viewport_size
    assert box["width"] > 0 and box["height"] > 0, box
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], (box, viewport)
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], (box, viewport)
    assert box["overflow"] <= 0, f"the page scrolls sideways by {box['overflow']} px at {viewport['width']} px"
    assert box["clipped"] is None, f"cut off by {box['clipped']} at {viewport['width']} px: {box}"


def assert_usable_at_every_width(page: Page, *controls: Locator) -> None:
    """`assert_in_view` for each control at 1024, 1280 and 1920 px wide; the viewport is left at 1280.

    Each width is set once for all the controls: a resize costs Chromium a layout and a paint."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        for control in controls:
            assert_in_view(page, control)
    page.set_viewport_size({"width": 1280, "height": HEIGHT})


def assert_seen_at_every_width(page: Page, *controls: Locator) -> None:
    """Each control in view once scrolled to, at each width. Scrolled to the middle of the screen, at once (the
    portal's Bootstrap scrolls smoothly): a control a fraction of a pixel under the bottom edge is "in view" for
    the browser's own scrolling, which then does not move, and is measured as out of the viewport."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        for control in controls:
            assert_in_view(page, control, scroll="center")
    page.set_viewport_size({"width": 1280, "height": HEIGHT})
