"""One-window intake end to end: a township caseworker registers a family of
three at the window, prints the one-time notice, and the family follows the
application on the public tracking page without logging in."""

from __future__ import annotations

import base64

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from jiuzhu_browser import ARTIFACTS, login, path_of, screenshot, wait_for


def check_digit(first17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights)) % 11]


def resident_id(first17: str) -> str:
    return first17 + check_digit(first17)


FAMILY = [
    ("王建国", resident_id("34032119790312041"), "02"),
    ("李秀英", resident_id("34032119810607052"), "10"),
    ("王小明", resident_id("34032120130909063"), "20"),
]


def fill_member(drv, index: int, name: str, id_number: str, relation: str) -> None:
    drv.find_element(By.NAME, f"members[{index}][name]").send_keys(name)
    drv.find_element(By.NAME, f"members[{index}][idNumber]").send_keys(id_number)
    Select(drv.find_element(By.NAME, f"members[{index}][relation]")).select_by_value(relation)
    Select(drv.find_element(By.NAME, f"members[{index}][residence]")).select_by_value("rural")


def test_window_registration_notice_and_public_tracking(app, driver, totp_clock):
    login(driver, app, totp_clock, "township_caseworker")
    driver.get(app.base_url + "/intake/new")
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#intake-form"), message="#intake-form")
    Select(driver.find_element(By.NAME, "region")).select_by_value("340321100201")
    driver.find_element(By.NAME, "address").send_keys("城关镇西城村 3 组 12 号")
    for index, (name, id_number, relation) in enumerate(FAMILY):
        fill_member(driver, index, name, id_number, relation)
    driver.find_element(By.CSS_SELECTOR, "input[name='programmes[]'][value='dibao']").click()
    driver.find_element(By.CSS_SELECTOR, "input[name='needs[]'][value='medical']").click()
    screenshot(driver, "intake-form.png")
    driver.find_element(By.CSS_SELECTOR, "#intake-submit").click()

    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#tracking-code") or d.find_elements(By.CSS_SELECTOR, ".form-error"),
             message="the application page after registering")
    errors = [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".form-error, .field-error")]
    assert not errors, f"registration refused: {errors}"
    assert path_of(driver).startswith("/applications/")
    code = driver.find_element(By.CSS_SELECTOR, "#tracking-code").text.strip()
    body = driver.find_element(By.TAG_NAME, "body").text
    assert FAMILY[0][1] not in body, "the application page shows a full ID number"
    assert FAMILY[0][1][:6] + "********" in body, "masked ID numbers missing"
    screenshot(driver, "intake-application.png")

    driver.find_element(By.CSS_SELECTOR, "#notice-link").click()
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#one-time-notice"), message="#one-time-notice")
    items = driver.find_elements(By.CSS_SELECTOR, "#missing-materials li")
    assert items, "the one-time notice lists nothing missing"
    assert "一次性告知书" in driver.find_element(By.TAG_NAME, "body").text
    screenshot(driver, "intake-notice.png")
    pdf = base64.b64decode(driver.print_page())
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000, "printing the notice produced no PDF"
    (ARTIFACTS / "one-time-notice.pdf").write_bytes(pdf)

    # The family, on another device, without an account.
    driver.delete_all_cookies()
    driver.get(app.base_url + "/track")
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#track-form"), message="#track-form")
    driver.find_element(By.NAME, "code").send_keys(code)
    driver.find_element(By.NAME, "last4").send_keys(FAMILY[0][1][-4:])
    driver.find_element(By.CSS_SELECTOR, "#track-submit").click()
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#track-result") or d.find_elements(By.CSS_SELECTOR, ".form-error"),
             message="the tracking result")
    result = driver.find_element(By.CSS_SELECTOR, "#track-result").text
    assert "王**" in result, f"the masked name is missing: {result!r}"
    assert "王建国" not in result and FAMILY[0][1][:6] not in result, "the public page shows personal data"
    assert "转介" in result, f"the referral is missing from the timeline: {result!r}"
    screenshot(driver, "track-result.png")


def test_village_assistant_form_fits_a_phone(app, driver, totp_clock):
    driver.set_window_size(360, 740)
    login(driver, app, totp_clock, "village_assistant")
    driver.get(app.base_url + "/intake/new")
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#intake-form"), message="#intake-form")
    width = driver.execute_script("return document.documentElement.scrollWidth")
    screenshot(driver, "intake-phone.png")
    assert width <= 360, f"the intake form scrolls sideways on a phone: scrollWidth={width}"


def test_proxy_application_with_a_scanned_entrustment(app, driver, totp_clock, tmp_path):
    scan = tmp_path / "entrustment.png"
    scan.write_bytes(bytes([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) + b"scan")
    login(driver, app, totp_clock, "township_approver")
    driver.get(app.base_url + "/intake/new")
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#intake-form"), message="#intake-form")
    Select(driver.find_element(By.NAME, "region")).select_by_value("340321100202")
    fill_member(driver, 0, "赵秀兰", resident_id("34032119500214084"), "02")
    driver.find_element(By.CSS_SELECTOR, "input[name='programmes[]'][value='tekun']").click()
    Select(driver.find_element(By.NAME, "channel")).select_by_value("proxy")
    for name, value in (("proxyName", "南关村村委会"), ("proxyRelation", "村民委员会"), ("proxyScope", "代为申请特困供养"),
                        ("proxyDocument", "WT-2026-017")):
        driver.find_element(By.NAME, name).send_keys(value)
    driver.execute_script("document.getElementsByName('proxyDate')[0].value = '2026-05-01'")
    driver.find_element(By.NAME, "proxyScan").send_keys(str(scan))
    driver.find_element(By.CSS_SELECTOR, "#intake-submit").click()
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#tracking-code") or d.find_elements(By.CSS_SELECTOR, ".form-error"),
             message="the application page after a proxy registration")
    errors = [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".form-error, .field-error")]
    assert not errors, f"proxy registration refused: {errors}"
    link = driver.find_element(By.CSS_SELECTOR, "#entrustment-scan").get_attribute("href")
    size = driver.execute_script("return fetch(arguments[0]).then(r => r.arrayBuffer()).then(b => b.byteLength)", link)
    assert size == scan.stat().st_size, f"the stored scan has {size} bytes, not {scan.stat().st_size}"
