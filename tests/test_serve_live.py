"""`keras-fer serve` as a person uses it: a real server process on loopback, a real headless Chromium
with a fake camera fed from a clip of the astronaut, a photo chosen in the page, Ctrl-C.

The browser test needs Debian's `chromium` and `chromium-driver` (.ci/run installs them) and selenium;
without them it is skipped with the reason. Screenshots go to the test's folder, and also to
$KERAS_FER_SCREENSHOTS when set (docs/serve_live.png is made that way).
"""

import json
import os
import pathlib
import shutil
import urllib.error
import urllib.request

import cv2
import numpy as np
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
skimage_data = pytest.importorskip("skimage.data")

from keras_fer.serve.process import start_server, stop_server  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


def astronaut_jpeg(path: pathlib.Path) -> pathlib.Path:
    cv2.imwrite(str(path), np.ascontiguousarray(skimage_data.astronaut()[:, :, ::-1]))
    return path


def test_a_server_that_cannot_start_is_one_error_naming_why():
    from keras_fer.serve.process import ServerStartError

    with pytest.raises(ServerStartError, match="(?s)exited with status 2.*unrecognized arguments: --no-such-flag"):
        start_server("--no-such-flag")


def fake_camera_clip(path: pathlib.Path, frames: int = 20) -> pathlib.Path:
    """A Y4M clip (Chromium's fake-camera format) of the astronaut in a 640x480 frame."""
    frame = np.full((480, 640, 3), 90, np.uint8)
    frame[:, 64:576] = cv2.resize(np.ascontiguousarray(skimage_data.astronaut()[:, :, ::-1]), (512, 480))
    yuv = cv2.cvtColor(frame, cv2.COLOR_BGR2YUV_I420).tobytes()
    with open(path, "wb") as f:
        f.write(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n")
        for _ in range(frames):
            f.write(b"FRAME\n" + yuv)
    return path


def screenshot(driver, tmp_path, name):
    driver.save_screenshot(str(tmp_path / name))
    if os.environ.get("KERAS_FER_SCREENSHOTS"):
        folder = pathlib.Path(os.environ["KERAS_FER_SCREENSHOTS"])
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(tmp_path / name, folder / name)


def answers_on_loopback(url, tmp_path):
    photo = astronaut_jpeg(tmp_path / "astronaut.jpg").read_bytes()
    request = urllib.request.Request(url + "/api/detect", data=photo, headers={"Content-Type": "image/jpeg"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        faces = json.load(answer)["faces"]
    assert [f["label"] for f in faces] == ["happy"]
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(urllib.request.Request(url + "/api/detect", data=b"GIF89a broken"), timeout=30)
    assert refused.value.code == 415 and "not an image" in json.load(refused.value)["error"]


@pytest.mark.slow(seconds=12)
def test_the_server_on_loopback_the_page_in_a_real_browser_then_ctrl_c(tmp_path, subtests):
    """One server process for both (starting one costs ~6 s): its HTTP API, then the page in Chromium with a
    fake camera and a chosen photo (a subtest, skipped without chromium), then Ctrl-C stops it cleanly."""
    process, url = start_server()
    try:
        answers_on_loopback(url, tmp_path)
        with subtests.test("the page in a real browser with a fake camera and a chosen photo"):
            if CHROMIUM is None or CHROMEDRIVER is None:
                pytest.skip("no chromium and chromedriver on PATH (apt-get install chromium chromium-driver)")
            the_page_in_a_real_browser(url, tmp_path)
    finally:
        status, err = stop_server(process)
    assert "http://127.0.0.1:" in err and "other machines" not in err
    assert status == 0 and "Traceback" not in err, err[-2000:]


def the_page_in_a_real_browser(url, tmp_path):
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--window-size=1200,1300", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                 f"--use-file-for-fake-video-capture={fake_camera_clip(tmp_path / 'camera.y4m')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    try:
        driver.get(url + "/")
        assert driver.title.startswith("keras-fer")
        driver.find_element(By.ID, "start").click()
        wait = WebDriverWait(driver, 90, poll_frequency=0.25)
        person = wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#live-faces .person[data-label]"))[0]
        wait.until(lambda d: int(d.find_element(By.TAG_NAME, "body").get_attribute("data-live-frames") or 0) >= 3)
        assert person.get_attribute("data-label") == "happy"
        assert person.get_attribute("data-track") == "1"
        assert len(person.find_elements(By.CSS_SELECTOR, ".bar")) == 7
        assert "face(s)" in driver.find_element(By.ID, "status").text
        screenshot(driver, tmp_path, "serve_live.png")
        driver.find_element(By.ID, "stop").click()

        driver.find_element(By.ID, "tab-photo").click()
        chooser = driver.find_element(By.ID, "file")
        driver.execute_script("arguments[0].style.display = 'block'", chooser)
        chooser.send_keys(str(astronaut_jpeg(tmp_path / "astronaut.jpg")))
        rows = wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#photo-table tbody tr"))
        assert [r.find_element(By.CSS_SELECTOR, ".label").text for r in rows] == ["happy"]
        assert driver.execute_script("return document.getElementById('photo-canvas').width") == 512
        screenshot(driver, tmp_path, "serve_photo.png")

        (tmp_path / "notes.txt").write_text("not a photo")
        chooser.send_keys(str(tmp_path / "notes.txt"))
        wait.until(lambda d: "415" in d.find_element(By.ID, "status").text)
        assert "not an image" in driver.find_element(By.ID, "status").text
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE" and "415" not in e["message"]]
        assert not errors, errors
    finally:
        driver.quit()
