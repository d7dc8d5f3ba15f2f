"""走访打卡 on a phone: a village assistant checks in at two visits, the first
with a connection, the second with none. The second is kept on the phone
(IndexedDB) and sent by the page itself once the network is back; the server
records each check-in once, and the person's next visit moves on."""

from __future__ import annotations

import time

from selenium.common.exceptions import ElementClickInterceptedException
from selenium.webdriver.common.by import By

from jiuzhu_browser import csp_violations, login, path_of, screenshot, wait_for, watch_csp, write_png

# Near 怀远县城 (the demo's county); the second visit a few hundred metres away.
FIRST_SPOT = (32.9700, 117.2000)
SECOND_SPOT = (32.9731, 117.2032)

# Every POST the page makes to /visits/check-ins, with its idempotency key and
# the answer's status (-1: no answer, the network failed). Observation only.
_RECORD_POSTS_JS = """
window.__checkinPosts = [];
const realFetch = window.fetch;
window.fetch = function (url, options) {
  const answer = realFetch.apply(this, arguments);
  if (options && options.method === 'POST' && String(url).indexOf('/visits/check-ins') >= 0) {
    const record = {key: options.headers && options.headers['Idempotency-Key'], status: null};
    window.__checkinPosts.push(record);
    answer.then(r => { record.status = r.status; }, () => { record.status = -1; });
  }
  return answer;
};
"""

CHOOSABLE = ("overdue", "escalated", "due")


def as_phone(drv) -> None:
    drv.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                        {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})


def put_phone_at(drv, app, spot: tuple[float, float]) -> None:
    drv.execute_cdp_cmd("Browser.grantPermissions", {"origin": app.base_url, "permissions": ["geolocation"]})
    drv.execute_cdp_cmd("Emulation.setGeolocationOverride",
                        {"latitude": spot[0], "longitude": spot[1], "accuracy": 15})


def set_offline(drv, offline: bool) -> None:
    drv.execute_cdp_cmd("Network.enable", {})
    drv.execute_cdp_cmd("Network.emulateNetworkConditions",
                        {"offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})


def open_visits(drv, app) -> None:
    drv.get(app.base_url + "/visits")
    wait_for(drv, lambda d: d.find_elements(By.CSS_SELECTOR, "#checkin-form"), message="#checkin-form on /visits")
    assert path_of(drv) == "/visits", f"/visits went to {drv.current_url}"
    # The script has read the phone's queue when it states the queue's state.
    wait_for(drv, lambda d: d.find_element(By.CSS_SELECTOR, "#queue-status").get_attribute("data-state"),
             message="visits.js to read the phone's queue (#queue-status[data-state])")


def people(drv) -> list[dict[str, str]]:
    return [{"plan": li.get_attribute("data-plan"), "status": li.get_attribute("data-status"),
             "name": li.find_element(By.CSS_SELECTOR, ".person-name").text.strip(),
             "due": li.find_element(By.CSS_SELECTOR, ".due").text.strip()}
            for li in drv.find_elements(By.CSS_SELECTOR, "#visit-people li.visit-person")]


def person_row(drv, plan: str):
    return drv.find_element(By.CSS_SELECTOR, f"#visit-people li.visit-person[data-plan='{plan}']")


def queue_count(drv) -> str | None:
    return drv.find_element(By.CSS_SELECTOR, "#queue-status").get_attribute("data-count")


def show(drv, element) -> None:
    drv.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)


def tap(drv, element) -> None:
    drv.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    try:
        element.click()
    except ElementClickInterceptedException:
        drv.execute_script("arguments[0].click()", element)


def check_in(drv, plan: str, photo, failed: str, need: str, notes: str) -> None:
    """Fill the form for one visit and press submit (as on the phone)."""
    tap(drv, drv.find_element(By.ID, f"plan-{plan}"))
    tap(drv, drv.find_element(By.ID, "locate"))
    wait_for(drv, lambda d: d.find_element(By.NAME, "latitude").get_attribute("value")
             and d.find_element(By.NAME, "longitude").get_attribute("value"),
             message="the location fields after #locate")
    status = drv.find_element(By.ID, "location-status").text
    assert "15" in status, f"#location-status does not show the accuracy: {status!r}"
    drv.find_element(By.ID, "photo").send_keys(str(photo))
    wait_for(drv, lambda d: (d.find_element(By.ID, "photo-preview").get_attribute("src") or "").startswith("data:image/"),
             timeout=30, message="the resized photo's preview")
    tap(drv, drv.find_element(By.ID, "assessed"))
    tap(drv, drv.find_element(By.CSS_SELECTOR, f"input[name='failed[]'][value='{failed}']"))
    tap(drv, drv.find_element(By.CSS_SELECTOR, f"input[name='needs[]'][value='{need}']"))
    drv.find_element(By.NAME, "notes").send_keys(notes)
    tap(drv, drv.find_element(By.ID, "checkin-submit"))
    error = drv.find_element(By.ID, "checkin-error")
    wait_for(drv, lambda d: d.find_element(By.ID, "checkin-saved").is_displayed() or error.is_displayed(),
             message="the check-in to be saved on the phone")
    assert not error.is_displayed(), f"the check-in was refused on the phone: {error.text!r}"
    assert not drv.find_element(By.NAME, "latitude").get_attribute("value"), "the form kept the last visit's location"


def logout(drv) -> None:
    drv.find_element(By.CSS_SELECTOR, "#logout-submit").click()
    wait_for(drv, lambda d: not d.find_elements(By.CSS_SELECTOR, "#logout-form"), message="logged out")


def spot_text(spot: tuple[float, float]) -> str:
    return f"{spot[0]:.5f}, {spot[1]:.5f}"


_FETCH_BYTES_JS = """
const done = arguments[arguments.length - 1];
fetch(arguments[0], {credentials: 'same-origin'})
  .then(r => r.arrayBuffer().then(b => done({status: r.status, type: r.headers.get('Content-Type'), bytes: Array.from(new Uint8Array(b))})))
  .catch(e => done({status: -1, type: String(e), bytes: []}));
"""


def jpeg_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a JPEG's frame header."""
    if data[:2] != b"\xff\xd8":
        return None
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            i += 1
            continue
        marker = data[i + 1]
        if marker in (0xC0, 0xC1, 0xC2):
            return int.from_bytes(data[i + 7:i + 9], "big"), int.from_bytes(data[i + 5:i + 7], "big")
        if marker == 0xD8 or marker == 0x01 or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        i += 2 + int.from_bytes(data[i + 2:i + 4], "big")
    return None


def check_stored_once(drv, app, plan: str, name: str, spot: tuple[float, float]) -> None:
    """On the plan's page (a supervisor's view): exactly one check-in from this
    phone's position, and its photo is the shrunk JPEG."""
    drv.get(app.base_url + f"/visits/plans/{plan}")
    wait_for(drv, lambda d: d.find_elements(By.CSS_SELECTOR, "#plan-checkins"), message=f"the plan page of {name}")
    rows = [r for r in drv.find_elements(By.CSS_SELECTOR, "#plan-checkins tr[data-checkin]") if spot_text(spot) in r.text]
    assert len(rows) == 1, (f"{name}: {len(rows)} check-ins at {spot_text(spot)} instead of exactly one: "
                            f"{[r.text for r in drv.find_elements(By.CSS_SELECTOR, '#plan-checkins tr')]}")
    link = rows[0].find_element(By.CSS_SELECTOR, "a[href$='/photo']").get_attribute("href")
    answer = drv.execute_async_script(_FETCH_BYTES_JS, link)
    data = bytes(answer["bytes"])
    assert answer["status"] == 200, f"{link}: status {answer['status']}"
    size = jpeg_size(data)
    assert size is not None, f"the stored photo of {name} is not a JPEG ({answer['type']}, {data[:8]!r})"
    assert max(size) <= 1280 and len(data) <= 1_000_000, f"the stored photo of {name} was not shrunk: {size}, {len(data)} bytes"


def delivered(drv, plan: str) -> bool:
    return queue_count(drv) == "0" and "visited-now" in (person_row(drv, plan).get_attribute("class") or "")


def posts_for(drv, key: str) -> list[int]:
    return [p["status"] for p in drv.execute_script("return window.__checkinPosts || []") if p["key"] == key]


def test_check_in_online_then_offline_on_a_phone(app, driver, totp_clock, tmp_path):
    watch_csp(driver)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": _RECORD_POSTS_JS})
    as_phone(driver)
    put_phone_at(driver, app, FIRST_SPOT)
    login(driver, app, totp_clock, "village_assistant")
    open_visits(driver, app)

    listed = people(driver)
    assert len(listed) >= 2, f"the village assistant needs two people to visit: {listed}"
    order = sorted(listed, key=lambda p: p["status"] not in CHOOSABLE)  # due/overdue first, else the list's order
    first, second = order[0], order[1]
    width = driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390, f"/visits scrolls sideways on a phone: scrollWidth={width}"

    # 1. With a connection: sent at once.
    photo1 = write_png(tmp_path / "visit-1.png", 1600, 1200, [(178, 34, 34), (46, 139, 87), (65, 105, 225)])
    check_in(driver, first["plan"], photo1, "bathing", "medical", "老人精神尚可，药已按时服用")
    wait_for(driver, lambda d: delivered(d, first["plan"]), timeout=30,
             message=f"the first check-in ({first['name']}) to reach the server")
    assert "刚刚已打卡" in person_row(driver, first["plan"]).text
    keys = [p["key"] for p in driver.execute_script("return window.__checkinPosts")]
    assert len(set(keys)) == 1 and posts_for(driver, keys[0]) == [201], \
        f"the first check-in was not stored by exactly one POST: {driver.execute_script('return window.__checkinPosts')}"
    show(driver, person_row(driver, first["plan"]))
    screenshot(driver, "visit-checkin-phone.png")

    open_visits(driver, app)
    row = person_row(driver, first["plan"])
    assert row.get_attribute("data-status") == "upcoming", \
        f"{first['name']} is still {row.get_attribute('data-status')!r} after today's visit"
    if first["status"] != "upcoming":
        assert row.find_element(By.CSS_SELECTOR, ".due").text.strip() != first["due"], "the next visit date did not move"

    # 2. No connection: kept on the phone, sent by the page when the network is back.
    put_phone_at(driver, app, SECOND_SPOT)
    set_offline(driver, True)
    photo2 = write_png(tmp_path / "visit-2.png", 1200, 1600, [(218, 165, 32), (72, 61, 139)])
    check_in(driver, second["plan"], photo2, "walking_indoors", "housing", "屋顶漏雨，需要危房改造")
    wait_for(driver, lambda d: queue_count(d) == "1", message="the offline check-in to wait in the queue")
    items = driver.find_elements(By.CSS_SELECTOR, "#queue-items li")
    assert len(items) == 1 and second["name"] in items[0].text, [i.text for i in items]
    assert "1" in driver.find_element(By.ID, "queue-status").text
    time.sleep(3)  # nothing may be lost or sent while offline
    assert queue_count(driver) == "1", "the offline check-in left the queue without a network"
    assert "visited-now" not in (person_row(driver, second["plan"]).get_attribute("class") or "")
    show(driver, driver.find_element(By.ID, "queue"))
    screenshot(driver, "visit-checkin-offline.png")

    set_offline(driver, False)  # and nothing else: the page sends it by itself
    wait_for(driver, lambda d: delivered(d, second["plan"]), timeout=60,
             message=f"the queued check-in ({second['name']}) to be sent after the network came back")
    assert driver.execute_async_script(
        "const done = arguments[arguments.length - 1]; window.jiuzhuVisits.items().then(i => done(i.length), () => done(-1));"
    ) == 0, "the phone's queue is not empty after sending"
    key = [p["key"] for p in driver.execute_script("return window.__checkinPosts") if p["key"] not in keys][0]
    answered = [s for s in posts_for(driver, key) if s != -1]
    assert answered == [201], f"the queued check-in was not stored exactly once: statuses {posts_for(driver, key)}"
    show(driver, driver.find_element(By.ID, "queue"))
    screenshot(driver, "visit-checkin-sent.png")
    assert not csp_violations(driver), csp_violations(driver)

    open_visits(driver, app)
    row = person_row(driver, second["plan"])
    assert row.get_attribute("data-status") == "upcoming", \
        f"{second['name']} is still {row.get_attribute('data-status')!r} after the queued visit"
    assert person_row(driver, first["plan"]).get_attribute("data-status") == "upcoming"
    assert queue_count(driver) == "0"
    assert not csp_violations(driver), csp_violations(driver)

    # The township approver sees each visit recorded once, with the shrunk photo.
    logout(driver)
    login(driver, app, totp_clock, "township_approver")
    check_stored_once(driver, app, first["plan"], first["name"], FIRST_SPOT)
    check_stored_once(driver, app, second["plan"], second["name"], SECOND_SPOT)
