"""One whole verification in the browser: the township caseworker records the
family's signed authorisation and requests a verification; the verification
officer collects the departments' answers (the demo's in-process department
simulator) and reads the signed report; the caseworker exempts a finding with
a reason, which makes report version 2; the report prints to PDF."""

from __future__ import annotations

import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from jiuzhu_browser import ARTIFACTS, fill_intake_form, login, path_of, screenshot, wait_for


def check_digit(first17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights)) % 11]


def resident_id(first17: str) -> str:
    return first17 + check_digit(first17)


# Not the intake test's family: a person may be in only one dibao household.
FAMILY = [
    ("赵大勇", resident_id("34032119750415031"), "02"),
    ("钱桂兰", resident_id("34032119780822042"), "10"),
    ("赵小雨", resident_id("34032120150101023"), "30"),
]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def logout(drv) -> None:
    drv.find_element(By.CSS_SELECTOR, "#logout-submit").click()
    wait_for(drv, lambda d: not d.find_elements(By.CSS_SELECTOR, "#logout-form"), message="logged out")


def register_family(drv, app) -> str:
    fill_intake_form(drv, app, "340321100202", "城关镇东城村 5 组 8 号", FAMILY)
    drv.find_element(By.CSS_SELECTOR, "#intake-submit").click()
    wait_for(drv, lambda d: d.find_elements(By.CSS_SELECTOR, "#tracking-code") or d.find_elements(By.CSS_SELECTOR, ".form-error"),
             message="the application page")
    errors = [e.text for e in drv.find_elements(By.CSS_SELECTOR, ".form-error, .field-error")]
    assert not errors, f"registration refused: {errors}"
    return path_of(drv)


def test_authorisation_request_collection_report_and_exemption(app, driver, totp_clock):
    login(driver, app, totp_clock, "township_caseworker")
    application = register_family(driver, app)

    # The authorisation: everyone signs, the guardian for the child; the scan is attached.
    driver.find_element(By.CSS_SELECTOR, "#request-verification").click()
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#authorisation-form"), message="#authorisation-form")
    driver.find_element(By.NAME, "number").send_keys("SQ-2026-B001")
    rows = driver.find_elements(By.CSS_SELECTOR, "#signatures tr")[1:]
    assert len(rows) == 3, "one signature row per member"
    for row in rows:
        name = row.find_element(By.CSS_SELECTOR, "td").text
        select = Select(row.find_element(By.CSS_SELECTOR, "select"))
        if name == "赵小雨":
            select.select_by_value("guardian")
            row.find_element(By.CSS_SELECTOR, "input[type=text]").send_keys("赵大勇")
        else:
            select.select_by_value("self")
    scan = ARTIFACTS / "authorisation-scan.pdf"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    scan.write_bytes(PDF)
    driver.find_element(By.CSS_SELECTOR, "#f-scan").send_keys(str(scan))
    screenshot(driver, "verification-authorisation.png")
    driver.find_element(By.CSS_SELECTOR, "#request-submit").click()
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#source-jobs") or d.find_elements(By.CSS_SELECTOR, ".form-error"),
             message="the request page")
    errors = [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".form-error")]
    assert not errors, f"request refused: {errors}"
    request = path_of(driver)
    assert request.startswith("/verification/")
    sources = driver.find_elements(By.CSS_SELECTOR, "#source-jobs tr[data-source]")
    assert len(sources) == 8, "one job per required source of 蚌埠's policy"
    logout(driver)

    # The verification officer collects the answers; the report is issued and signed.
    login(driver, app, totp_clock, "verification_officer")
    driver.get(app.base_url + "/verification?status=all")
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#verification-queue"), message="#verification-queue")
    driver.find_element(By.XPATH, "//table[@id='verification-queue']//a[contains(., '赵大勇')]").click()
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#source-jobs"), message="the request page")
    if not driver.find_elements(By.CSS_SELECTOR, "#verification-report"):
        driver.find_element(By.CSS_SELECTOR, "#collect-now").click()
    # A job the server's own collector holds at that moment is not run twice: its answer arrives a
    # moment later, so the page is read again (as a user would reload it) until the report is there.
    request_url = driver.current_url.split("?")[0]

    def report_shown(d) -> bool:
        if d.find_elements(By.CSS_SELECTOR, "#verification-report"):
            return True
        time.sleep(1)
        d.get(request_url)
        return bool(d.find_elements(By.CSS_SELECTOR, "#verification-report"))

    wait_for(driver, report_shown, timeout=30, message="the report after collecting")
    statuses = {row.get_attribute("data-source"): row.find_element(By.CSS_SELECTOR, ".job-status").text
                for row in driver.find_elements(By.CSS_SELECTOR, "#source-jobs tr[data-source]")}
    assert all(text in ("已反馈", "returned") for text in statuses.values()), statuses
    conclusion = driver.find_element(By.CSS_SELECTOR, "#report-conclusion").text
    assert conclusion, "the report names its conclusion"
    assert driver.find_elements(By.CSS_SELECTOR, "#report-lines tr"), "the report lists its findings"
    body = driver.find_element(By.TAG_NAME, "body").text
    assert FAMILY[0][1] not in body, "the report shows a full ID number"
    assert "Ed25519" in body
    screenshot(driver, "verification-report.png")
    logout(driver)

    # The caseworker exempts one finding with a reason: version 2, version 1 kept.
    login(driver, app, totp_clock, "township_caseworker")
    driver.get(app.base_url + request)
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#verification-report"), message="the report")
    forms = driver.find_elements(By.CSS_SELECTOR, "form.exemption-form")
    assert forms, "the caseworker can exempt the report's findings"
    forms[0].find_element(By.NAME, "reason").send_keys("该存款为专项医疗救助资金，不计入")
    forms[0].find_element(By.CSS_SELECTOR, ".exempt-submit").click()
    wait_for(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#report-versions li")) == 2,
             message="report version 2 after the exemption")
    assert "专项医疗救助资金" in driver.find_element(By.CSS_SELECTOR, "#report-lines").text
    screenshot(driver, "verification-exempted.png")

    driver.find_element(By.CSS_SELECTOR, "#report-print").click()
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#verification-report"), message="the printable report")
    pdf = __import__("base64").b64decode(driver.print_page())
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000, "printing the report produced no PDF"
    (ARTIFACTS / "verification-report.pdf").write_bytes(pdf)
    driver.get(app.base_url + application)
    assert driver.find_elements(By.CSS_SELECTOR, "#verification li"), "the application page lists the verification"
