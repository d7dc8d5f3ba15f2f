"""The county's payment officer adds to a township's reserve fund (备用金台账),
and the township sees its balance but cannot add to it.

Page contract (implemented by JiuzhuWeb):
- the menu links /reserve-fund for the payment officer: #funds, one row per township
  of the county with a link /reserve-fund/<township> and its balance;
- /reserve-fund/<township>: #fund-balance (¥ amount), #fund-limit, #top-up-form
  (amount, date) for the county only, #fund-entries rows tr[data-kind];
- a township account's /reserve-fund goes to its own township.
"""

from __future__ import annotations

from selenium.webdriver.common.by import By

from jiuzhu_browser import login, path_of, screenshot, wait_for

TOWNSHIP = "340321100"  # 怀远县城关镇


def yuan(text: str) -> float:
    return float(text.replace("¥", "").replace(",", "").strip())


def logout(drv) -> None:
    drv.find_element(By.CSS_SELECTOR, "#logout-submit").click()
    wait_for(drv, lambda d: not d.find_elements(By.CSS_SELECTOR, "#logout-form"), message="logged out")


def test_county_tops_up_and_township_only_reads(app, driver, totp_clock):
    login(driver, app, totp_clock, "payment_officer")
    driver.find_element(By.CSS_SELECTOR, "nav.menu a[href='/reserve-fund']").click()
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#funds"), message="#funds on /reserve-fund")
    driver.find_element(By.CSS_SELECTOR, f"#funds a[href='/reserve-fund/{TOWNSHIP}']").click()
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#fund-balance"), message="the township's fund")
    before = yuan(driver.find_element(By.CSS_SELECTOR, "#fund-balance").text)
    assert before >= 0

    form = driver.find_element(By.CSS_SELECTOR, "form#top-up-form")
    assert form.find_element(By.NAME, "date").get_attribute("value"), "the top-up form has no default date"
    amount = form.find_element(By.NAME, "amount")
    amount.clear()
    amount.send_keys("abc")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".form-error"), message="a refusal of 'abc'")
    assert yuan(driver.find_element(By.CSS_SELECTOR, "#fund-balance").text) == before

    form = driver.find_element(By.CSS_SELECTOR, "form#top-up-form")
    amount = form.find_element(By.NAME, "amount")
    amount.clear()
    amount.send_keys("1500")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait_for(driver, lambda d: "done=topped-up" in d.current_url, message="the top-up to be stored")
    assert yuan(driver.find_element(By.CSS_SELECTOR, "#fund-balance").text) == before + 1500
    kinds = [tr.get_attribute("data-kind") for tr in driver.find_elements(By.CSS_SELECTOR, "#fund-entries tbody tr")]
    assert kinds and kinds[0] == "top_up", kinds
    screenshot(driver, "reserve-fund-county.png")
    logout(driver)

    login(driver, app, totp_clock, "township_approver")
    driver.get(app.base_url + "/reserve-fund")
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#fund-balance"), message="the approver's own fund")
    assert path_of(driver) == f"/reserve-fund/{TOWNSHIP}"
    assert yuan(driver.find_element(By.CSS_SELECTOR, "#fund-balance").text) == before + 1500
    assert not driver.find_elements(By.CSS_SELECTOR, "#top-up-form")
    logout(driver)
