"""Staff log in with password + TOTP and see only their own region subtree.

Page contract (implemented by JiuzhuWeb):
- GET /login: form #login-form with inputs username, password, totp and button
  #login-submit; success lands on / (title contains 我的待办) with #user-name,
  #user-role, #user-region in the header; failure shows the form again with .form-error.
- GET /regions: #region-tree with one li[data-code] per region of the user's subtree.
- GET /regions/<code> outside the subtree: status 403, #error-page, text 无权访问.
- POST /logout via #logout-form / #logout-submit in the header.
- <html lang="zh-CN">.
"""

from __future__ import annotations

import base64
import time

from selenium.webdriver.common.by import By

from jiuzhu_browser import (
    ROLE_CODES,
    TOTP_STEP,
    cjk_glyphs_render,
    document_lang,
    fetch_status,
    fill_login,
    header_texts,
    is_region_code,
    login,
    path_of,
    screenshot,
    totp_at,
    wait_for,
)

OTHER_CITY = "3404"  # 淮南: no demo staff below the province may see it


def region_codes(drv, base_url: str) -> list[str]:
    drv.get(base_url + "/regions")
    wait_for(drv, lambda d: d.find_elements(By.CSS_SELECTOR, "#region-tree"), message="#region-tree on /regions")
    items = drv.find_elements(By.CSS_SELECTOR, "#region-tree li[data-code]")
    return [li.get_attribute("data-code") for li in items]


def assert_forbidden(drv, base_url: str, code: str) -> None:
    drv.get(base_url + f"/regions/{code}")
    wait_for(
        drv,
        lambda d: d.find_elements(By.CSS_SELECTOR, "#error-page") or d.find_elements(By.CSS_SELECTOR, "#region-tree"),
        message=f"a page for /regions/{code}",
    )
    assert drv.find_elements(By.CSS_SELECTOR, "#error-page"), f"/regions/{code} did not show #error-page"
    body = drv.find_element(By.TAG_NAME, "body").text
    assert "无权访问" in body, f"/regions/{code} error page lacks 无权访问: {body[:500]!r}"
    assert fetch_status(drv, f"/regions/{code}") == 403, f"/regions/{code} did not answer 403"


def assert_allowed(drv, base_url: str, code: str) -> None:
    status = fetch_status(drv, f"/regions/{code}")
    assert status == 200, f"/regions/{code} (own region) answered {status}, expected 200"
    drv.get(base_url + f"/regions/{code}")
    assert not drv.find_elements(By.CSS_SELECTOR, "#error-page"), f"own region /regions/{code} shows #error-page"


def logout(drv, base_url: str) -> None:
    drv.get(base_url + "/")
    form = drv.find_elements(By.CSS_SELECTOR, "#logout-form")
    assert form, "no #logout-form in the header"
    assert (form[0].get_attribute("method") or "").lower() == "post", "#logout-form must POST"
    drv.find_element(By.CSS_SELECTOR, "#logout-submit").click()
    wait_for(drv, lambda d: path_of(d) != "/" or d.find_elements(By.CSS_SELECTOR, "#login-form"), message="logout")
    drv.get(base_url + "/regions")
    assert not drv.find_elements(By.CSS_SELECTOR, "#region-tree"), "/regions still shows the tree after logout"
    assert not drv.find_elements(By.CSS_SELECTOR, "#user-name"), "header still shows a user after logout"


def check_home(drv, role: str) -> dict[str, str]:
    assert "我的待办" in drv.title, f"home title {drv.title!r} lacks 我的待办"
    assert document_lang(drv) == "zh-CN"
    return header_texts(drv)


def check_subtree(codes: list[str], root: str) -> None:
    assert len(codes) >= 2, f"expected at least 2 regions under {root}, got {codes}"
    assert len(codes) == len(set(codes)), f"duplicate li[data-code] in the tree: {codes}"
    bad = [c for c in codes if not is_region_code(c)]
    assert not bad, f"not compact region codes: {bad}"
    outside = [c for c in codes if not c.startswith(root)]
    assert not outside, f"regions outside {root} in the tree: {outside}"
    assert root in codes, f"own region {root} missing from the tree"


# (1)
def test_township_caseworker_sees_own_township_only(app, driver, totp_clock):
    me = login(driver, app, totp_clock, "township_caseworker")
    assert len(me.region) == 9, f"township caseworker region should be a township code: {me.region}"
    check_home(driver, "township_caseworker")
    screenshot(driver, "township-caseworker-home.png")

    codes = region_codes(driver, app.base_url)
    screenshot(driver, "township-caseworker-regions.png")
    check_subtree(codes, me.region)
    assert any(len(c) == 12 for c in codes), f"no village under township {me.region}: {codes}"

    assert_allowed(driver, app.base_url, me.region)
    assert_forbidden(driver, app.base_url, OTHER_CITY)
    screenshot(driver, "township-caseworker-forbidden.png")
    # The county above is not part of a township's subtree either.
    assert_forbidden(driver, app.base_url, me.region[:6])

    logout(driver, app.base_url)


# (2)
def test_county_reviewer_sees_own_county_only(app, driver, totp_clock):
    me = login(driver, app, totp_clock, "county_reviewer")
    assert len(me.region) == 6, f"county reviewer region should be a county code: {me.region}"
    check_home(driver, "county_reviewer")
    screenshot(driver, "county-reviewer-home.png")

    codes = region_codes(driver, app.base_url)
    screenshot(driver, "county-reviewer-regions.png")
    check_subtree(codes, me.region)
    assert any(len(c) == 9 for c in codes), f"no township under county {me.region}: {codes}"

    # No demo account's region of another county (e.g. the caseworker's township
    # and its siblings, when they sit elsewhere) may leak into the tree.
    foreign = {acc.region for acc in app.logins.values() if len(acc.region) >= 6 and not acc.region.startswith(me.region)}
    leaked = sorted(foreign & set(codes))
    assert not leaked, f"county reviewer sees regions of other counties: {leaked}"
    for code in sorted(c for c in foreign if len(c) == 9)[:2]:
        assert_forbidden(driver, app.base_url, code)

    assert_allowed(driver, app.base_url, me.region)
    assert_forbidden(driver, app.base_url, OTHER_CITY)
    screenshot(driver, "county-reviewer-forbidden.png")
    assert_forbidden(driver, app.base_url, me.region[:4])

    logout(driver, app.base_url)


# (3)
def test_wrong_totp_code_is_refused(app, driver, totp_clock):
    me = app.login("village_assistant")
    step = int(time.time() // TOTP_STEP)
    near = {totp_at(me.totp, s) for s in range(step - 3, step + 4)}
    wrong = next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in near)
    fill_login(driver, app.base_url, me.user, me.password, wrong)
    totp_clock.mark_used(me.user)
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".form-error"), message=".form-error after a wrong TOTP code")
    screenshot(driver, "login-wrong-totp.png")
    assert path_of(driver) == "/login", f"wrong TOTP left /login for {driver.current_url}"
    assert driver.find_elements(By.CSS_SELECTOR, "#login-form"), "the login form is not shown again"
    assert not driver.find_elements(By.CSS_SELECTOR, "#user-name"), "a user is shown after a refused login"
    assert driver.find_element(By.CSS_SELECTOR, ".form-error").text.strip(), ".form-error is empty"
    # Not logged in: the region pages stay closed.
    driver.get(app.base_url + "/regions")
    assert not driver.find_elements(By.CSS_SELECTOR, "#region-tree")


# (4)
def test_login_page_renders_chinese(app, driver):
    driver.get(app.base_url + "/login")
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#login-form"), message="#login-form")
    assert document_lang(driver) == "zh-CN"
    form = driver.find_element(By.CSS_SELECTOR, "#login-form")
    for name in ("username", "password", "totp"):
        assert form.find_elements(By.NAME, name), f"#login-form has no input named {name}"
    assert driver.find_elements(By.CSS_SELECTOR, "#login-submit"), "no #login-submit"
    text = driver.find_element(By.TAG_NAME, "body").text
    assert "登录" in text, f"login page text lacks 登录: {text[:300]!r}"
    screenshot(driver, "login.png")
    ok, font = cjk_glyphs_render(driver)
    assert ok, f"CJK characters render as identical boxes in font {font!r} (fonts-noto-cjk missing?)"


# (5)
def test_pages_fit_a_phone(app, driver, totp_clock):
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 360, "height": 740, "deviceScaleFactor": 2, "mobile": True},
    )
    driver.get(app.base_url + "/login")
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#login-form"), message="#login-form")
    assert driver.execute_script("return window.innerWidth") == 360
    width = driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= 360, f"/login scrolls sideways on a phone: scrollWidth={width} (viewport meta missing?)"

    login(driver, app, totp_clock, "township_approver")
    check_home(driver, "township_approver")
    screenshot(driver, "home-phone.png")
    width = driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= 360, f"home page scrolls sideways on a phone: scrollWidth={width}"


# The demo's printed accounts themselves.
def test_demo_prints_every_role(app):
    missing = [r for r in ROLE_CODES if r not in app.logins]
    assert not missing, f"no DEMO-LOGIN line for roles {missing}; lines seen: {app.login_lines}"
    users = [acc.user for acc in app.logins.values()]
    assert len(users) == len(set(users)), f"demo accounts share a username: {users}"
    for acc in app.logins.values():
        assert is_region_code(acc.region), f"{acc.role}: bad region code {acc.region!r}"
        key = acc.totp.upper() + "=" * (-len(acc.totp) % 8)
        assert len(base64.b32decode(key)) >= 10, f"{acc.role}: TOTP secret shorter than 80 bits"
