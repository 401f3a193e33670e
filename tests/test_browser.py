"""The walkthrough's HTML page in headless Chromium (Debian's `chromium` and `chromium-driver`,
driven with Selenium): no JavaScript error, "next" through every step with the counter and the
diagrams following, the keyboard and the command list, no sideways scrolling at a step with the
longest output line and explanation, `code` in the sentences set as <code> and nothing else
taken for markup, and a screenshot kept as an artefact (the test's tmp dir and
test-artifacts/walkthrough.png).

Skipped when chromium, chromedriver or selenium is missing, except in CI (`CI` set) where that fails.
"""

from __future__ import annotations

import os
import re
import shutil

import pytest

from simulator.viz.html import _json
from walkthrough_page import ROOT, page_data, walkthrough

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1400,1000"]
# Errors thrown while the page loads are caught too: this runs before the page's own script.
CATCH_ERRORS = """window.__errors = [];
window.addEventListener("error", function (e) { window.__errors.push(String(e.message)); });
window.addEventListener("unhandledrejection", function (e) { window.__errors.push(String(e.reason)); });"""
# What the test reads after each move: the counter, the SVG numbers shown, a hash of the
# diagrams' markup, whether "next" is still enabled, the command and its output shown.
STATE = """var box = document.getElementById("diagrams"), s = box.innerHTML, h = 0;
for (var i = 0; i < s.length; i++) { h = (h * 31 + s.charCodeAt(i)) | 0; }
return [document.getElementById("counter").textContent, box.getAttribute("data-svgs"), h,
        box.querySelectorAll("figure svg").length, document.getElementById("next").disabled,
        document.getElementById("command").textContent, document.getElementById("output").textContent];"""


def _missing(reason: str):
    if os.environ.get("CI"):
        pytest.fail(reason + " (CI must install it: .ci/run)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _missing("selenium is not installed")
    if not CHROMIUM or not CHROMEDRIVER:
        _missing("chromium or chromedriver not found (Debian: apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS + ["--user-data-dir=" + str(tmp_path_factory.mktemp("chromium-profile"))]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CATCH_ERRORS})
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def page(browser, tmp_path_factory):
    """(driver, the page's step data); the page loaded at step 1."""
    _, done = walkthrough()
    path = tmp_path_factory.mktemp("page") / "walkthrough.html"
    path.write_text(done.html, encoding="utf-8")
    browser.get(path.as_uri())
    return browser, page_data(done.html)


def _errors(driver) -> list[str]:
    console = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    return driver.execute_script("return window.__errors;") + console


def test_next_through_every_step(page, tmp_path):
    from selenium.webdriver.common.by import By

    driver, data = page
    steps, total = data["steps"], len(data["steps"])
    state = driver.execute_script(STATE)
    assert state[0] == f"Step 1 / {total}" and state[3] == len(steps[0]["d"]) > 0
    changes = 0
    for i in range(1, total):
        driver.find_element(By.ID, "next").click()
        before, state = state, driver.execute_script(STATE)
        assert state[0] == f"Step {i + 1} / {total}"
        shown = [n for _, n in steps[i]["d"]]
        assert state[1] == " ".join(map(str, shown)) and state[3] == len(shown)
        if shown != [n for _, n in steps[i - 1]["d"]]:
            assert state[2] != before[2], f"step {i + 1}: the diagrams did not change"
            changes += 1
        assert state[4] == (i == total - 1)
        # every step shows the command that owns it with that command's whole output
        command = data["commands"][steps[i]["c"]]
        assert state[5] == "$ " + command["line"]
        assert state[6] == command["output"] + ("[exit %d]\n" % command["status"] if command["status"] else "")
    assert changes > total // 2
    assert driver.find_element(By.ID, "explanation").text == steps[-1]["e"].replace("`", "")
    assert _errors(driver) == []


def test_keyboard_and_command_list(page, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver, data = page
    total = len(data["steps"])
    body = driver.find_element(By.TAG_NAME, "body")
    counter = driver.find_element(By.ID, "counter")
    body.send_keys(Keys.HOME)
    assert counter.text == f"Step 1 / {total}"
    body.send_keys(Keys.ARROW_RIGHT, Keys.ARROW_RIGHT)
    assert counter.text == f"Step 3 / {total}"
    body.send_keys(Keys.ARROW_LEFT)
    assert counter.text == f"Step 2 / {total}"
    body.send_keys(Keys.END)
    assert counter.text == f"Step {total} / {total}"
    # The command that copies up a file: click it in the list, then take the screenshot there.
    index, command = next((i, c) for i, c in enumerate(data["commands"])
                          if any(s["k"] == "fs.copy_up" for s in data["steps"][c["start"]:c["stop"]]))
    driver.find_elements(By.CSS_SELECTOR, "#commands li")[index].click()
    assert counter.text == f"Step {command['start'] + 1} / {total}"
    assert driver.find_element(By.ID, "command").text == "$ " + command["line"]
    copy_up = next(i for i in range(command["start"], command["stop"]) if data["steps"][i]["k"] == "fs.copy_up")
    for _ in range(copy_up - command["start"]):
        body.send_keys(Keys.ARROW_RIGHT)
    assert counter.text == f"Step {copy_up + 1} / {total}"
    assert driver.current_url.endswith(f"#{copy_up + 1}")
    shot = tmp_path / "walkthrough.png"
    assert driver.save_screenshot(str(shot))
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    shutil.copyfile(shot, ROOT / "test-artifacts" / "walkthrough.png")
    assert _errors(driver) == []


def test_long_lines_wrap_inside_the_page(page):
    from selenium.webdriver.common.by import By

    driver, data = page
    # pip's WARNING line in the python build's output: the longest; there, the step with the
    # longest explanation (a deep site-packages path).
    longest = max(data["commands"], key=lambda c: max(map(len, c["output"].splitlines() or [""])))
    assert max(map(len, longest["output"].splitlines())) > 200
    index = max(range(longest["start"], longest["stop"]), key=lambda i: len(data["steps"][i]["e"]))
    driver.get(driver.current_url.split("#")[0] + f"#{index + 1}")
    driver.refresh()                              # a new hash alone does not reload the page
    assert driver.find_element(By.ID, "counter").text == f"Step {index + 1} / {len(data['steps'])}"
    widths = driver.execute_script("""var o = document.getElementById("output"), e = document.getElementById("explanation");
        return [document.documentElement.scrollWidth, window.innerWidth, o.scrollWidth, o.clientWidth,
                e.scrollWidth, e.clientWidth, document.querySelector("aside").getBoundingClientRect().width];""")
    page_width, window_width, output_width, output_box, text_width, text_box, commands_width = widths
    assert page_width <= window_width                       # no horizontal page scrollbar
    assert output_width <= output_box and text_width <= text_box   # the lines wrap instead
    assert commands_width >= 280                            # the command list keeps its width (at most 300px)
    assert _errors(driver) == []


# What the explanation shows: each child as [tag or "#text", its text].
EXPLANATION = """return Array.from(document.getElementById("explanation").childNodes).map(function (n) {
    return [n.nodeType === 3 ? "#text" : n.tagName.toLowerCase(), n.textContent]; });"""


def test_code_spans_in_sentences(page, tmp_path):
    from selenium.webdriver.common.by import By

    driver, data = page
    build = data["commands"][0]
    assert data["steps"][build["start"]]["e"].startswith("`docker build` runs ")
    driver.find_elements(By.CSS_SELECTOR, "#commands li")[0].click()
    shown = driver.execute_script(EXPLANATION)
    assert shown[0] == ["code", "docker build"] and shown[1][0] == "#text" and shown[1][1].startswith(" runs ")
    # The same page with a sentence made to look like markup: only the paired backticks make <code>.
    _, done = walkthrough()
    data["steps"][0]["e"] = "`<b>x</b>` & <i>y</i> then `a&amp;b` and a lone ` tick"
    odd = re.sub(r'(id="steps-data">).*?(</script>)', lambda m: m.group(1) + _json(data) + m.group(2),
                 done.html, count=1, flags=re.S)
    path = tmp_path / "odd.html"
    path.write_text(odd, encoding="utf-8")
    driver.get(path.as_uri())
    assert driver.execute_script(EXPLANATION) == [
        ["code", "<b>x</b>"], ["#text", " & <i>y</i> then "], ["code", "a&amp;b"], ["#text", " and a lone ` tick"]]
    assert _errors(driver) == []
