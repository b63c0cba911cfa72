"""Every console page — the pages tests/browser/test_phone.py walks (every route the access rules give an admin
a page for), and the login page — passes axe-core (tests/browser/vendor/) with no serious or critical violation.

axe is injected through the WebDriver: the CSP governs only scripts that the page loads itself."""

import re
from pathlib import Path

import pytest

from tests.browser.conftest import SCREENSHOTS, log_in
from tests.browser.test_phone import console_pages, objects  # noqa: F401 (a fixture)
from tests.processes import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.timeout(300)]

AXE = (Path(__file__).parent / "vendor" / "axe-4.14.1.min.js").read_text()
SERIOUS = ("serious", "critical")


def axe_violations(driver):
    """The serious and critical violations axe finds on the page now, one line each."""
    if not driver.execute_script("return !!window.axe"):
        driver.execute_script(AXE)
    result = driver.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(function (r) { done(r.violations); },"
        " function (e) { done({error: String(e)}); });"
    )
    assert not isinstance(result, dict), result
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(" ".join(node["target"]) if isinstance(node["target"][0], str) else str(node["target"])
                    for node in violation["nodes"][:5])
        for violation in result if violation["impact"] in SERIOUS
    ]


def test_axe_sees_a_violation_it_is_shown(asgi_server, browser):
    """The check itself can fail: an image with no text alternative is a critical violation."""
    browser.get(f"{asgi_server.base_url}/login/")
    browser.execute_script("var i = document.createElement('img'); i.src = '/static/img/x.png'; document.body.append(i);")
    assert any(line.startswith("image-alt (critical)") for line in axe_violations(browser))


def test_every_console_page_has_no_serious_accessibility_violation(alice, objects, asgi_server, browser):  # noqa: F811
    from selenium.webdriver.common.by import By

    base, driver = asgi_server.base_url, browser
    driver.set_script_timeout(60)
    found = []
    driver.get(f"{base}/login/")
    found += [f"/login/: {line}" for line in axe_violations(driver)]
    log_in(driver, base, "alice")
    pages = console_pages(alice, objects)
    assert {"/", "/cameras/", f"/mosaics/{objects['mosaic'].pk}/", "/detections/", "/users/"} <= set(pages)
    for url in pages:
        driver.get(f"{base}{url}")
        wait_for(lambda: driver.execute_script("return document.readyState") == "complete", timeout=15,
                 what=f"{url} loaded")
        name = re.sub(r"[^a-z0-9]+", "-", url.lower()).strip("-") or "dashboard"
        driver.save_screenshot(str(SCREENSHOTS / f"a11y-{name}.png"))
        found += [f"{url}: {line}" for line in axe_violations(driver)]
    # A form sent back with its errors is part of the pages too.
    driver.get(f"{base}/cameras/add/")
    driver.execute_script("document.querySelectorAll('[required]').forEach(function (e) { e.required = false; })")
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, ".errorlist"), timeout=15, what="the form's errors")
    driver.save_screenshot(str(SCREENSHOTS / "a11y-form-errors.png"))
    found += [f"/cameras/add/ (errors): {line}" for line in axe_violations(driver)]
    assert not found, "\n".join(found)
