"""The operator on duty's console in a real browser: a resident's plate (on an allow list) arrives in the live
feed marked "resident" and raises no alert, though an alert list names it too, while a visitor's watched plate
still does; an admin opens Users from the navigation, creates an operator, and that operator logs in in a
second browser.

Detections are written by calling `persist_readings(...)` from this process, as the `persist` task does (see
test_alerts.py); the push, the socket and the page's scripts are real.
"""

import pytest

from apps.cameras.models import Camera
from apps.watchlists.models import Alert, WatchListKind
from apps.watchlists.services import watchlist_create
from tests.browser.conftest import SCREENSHOTS, log_in
from tests.processes import wait_for
from tests.watchlists.conftest import see

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.timeout(240)]


def shot(driver, name):
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


def js(driver, script, *args):
    return driver.execute_script(script, *args)


def test_a_residents_plate_shows_resident_in_the_feed_and_raises_no_alert(olivia, asgi_server, browser):
    base, driver = asgi_server.base_url, browser
    camera = Camera.objects.create(name="Gate", rtsp_url="rtsp://192.0.2.10/live")
    watchlist_create(actor=olivia, name="Residents", kind=WatchListKind.ALLOW, entries=["ABC1234"])
    watchlist_create(actor=olivia, name="Stolen", entries=["ABC1234", "XYZ9876"])

    log_in(driver, base, "olivia")
    wait_for(lambda: js(driver, "return document.documentElement.dataset.live") == "open", timeout=15,
             what="the live WebSocket")

    resident = see(camera, "ABC1234")
    item = f'[data-live-feed] [data-detection-id="{resident.pk}"]'
    wait_for(lambda: js(driver, "return !!document.querySelector(arguments[0])", item), timeout=15,
             what="the resident's passage in the live feed")
    badge = js(driver, "var b = document.querySelector(arguments[0] + ' [data-field=allow_list]'); return b && b.textContent", item)
    assert badge == "resident · Residents"

    # A visitor on the alert list still alerts: the toast below proves pushes arrive, so no toast above means none.
    visitor = see(camera, "XYZ9876", vehicle_box=(0.0, 0.0, 0.1, 0.1))
    toast = wait_for(lambda: js(driver, "var t = document.querySelector('#toasts .alert-toast'); return t && t.textContent"),
                     timeout=15, what="the visitor's alert toast")
    assert "XYZ9876" in toast and "ABC1234" not in toast
    assert js(driver, "return document.querySelectorAll('#toasts .alert-toast').length") == 1
    visitor_item = f'[data-live-feed] [data-detection-id="{visitor.pk}"]'
    assert js(driver, "return !!document.querySelector(arguments[0])", visitor_item)
    assert not js(driver, "return !!document.querySelector(arguments[0] + ' [data-field=allow_list]')", visitor_item)
    assert list(Alert.objects.values_list("plate_text", flat=True)) == ["XYZ9876"]
    js(driver, "document.querySelector(arguments[0]).scrollIntoView({block: 'center'})", item)
    shot(driver, "residents-01-feed")

    # Server-rendered too: the feed after a reload, and the detail page.
    driver.get(f"{base}/")
    wait_for(lambda: js(driver, "var b = document.querySelector(arguments[0] + ' [data-field=allow_list]'); return b && b.textContent",
                        item) == "resident · Residents", timeout=15, what="the resident badge after a reload")
    driver.get(f"{base}/detections/{resident.pk}/")
    assert "resident · Residents" in js(driver, "return document.getElementById('allow-list-badge').textContent")
    shot(driver, "residents-02-detail")


def test_an_admin_creates_an_operator_from_the_users_page_who_then_logs_in(alice, asgi_server, browser, second_browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    from apps.accounts.policy import role_of
    from django.contrib.auth import get_user_model

    base, driver = asgi_server.base_url, browser
    log_in(driver, base, "alice")
    driver.find_element(By.LINK_TEXT, "Users").click()
    wait_for(lambda: driver.current_url == f"{base}/users/", timeout=15, what="the Users page")
    assert driver.find_element(By.TAG_NAME, "h1").text == "Users"
    shot(driver, "users-01-list")

    driver.find_element(By.ID, "user-add").click()
    wait_for(lambda: driver.current_url == f"{base}/users/add/", timeout=15, what="the new user form")
    driver.find_element(By.NAME, "username").send_keys("oscar")
    Select(driver.find_element(By.NAME, "role")).select_by_value("operator")
    driver.find_element(By.NAME, "password").send_keys("password")  # too common: refused, with the reason
    driver.find_element(By.CSS_SELECTOR, "#user-form button[type=submit]").click()
    wait_for(lambda: "too common" in js(driver, "var f = document.getElementById('field-password'); return f ? f.textContent : ''"),
             timeout=15,
             what="the weak password refused")
    shot(driver, "users-02-weak-password")
    driver.find_element(By.NAME, "password").send_keys("Night-shift-2026!")
    driver.find_element(By.CSS_SELECTOR, "#user-form button[type=submit]").click()
    wait_for(lambda: driver.current_url == f"{base}/users/", timeout=15, what="back to the Users page")
    wait_for(lambda: js(driver, "return !!document.querySelector('#user-table tr[data-username=oscar]')"), timeout=15,
             what="the new user's row")
    row = driver.find_element(By.CSS_SELECTOR, '#user-table tr[data-username="oscar"]')
    assert Select(row.find_element(By.NAME, "role")).first_selected_option.get_attribute("value") == "operator"
    assert role_of(get_user_model().objects.get(username="oscar")) == "operator"
    shot(driver, "users-03-created")

    other = second_browser
    log_in(other, base, "oscar", password="Night-shift-2026!")
    nav = other.find_element(By.TAG_NAME, "nav").text
    assert "Watch lists" in nav and "Users" not in nav  # an operator's console
    shot(other, "users-04-operator-logged-in")
