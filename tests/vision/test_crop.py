import cv2
import numpy as np

from workers.vision.crop import main_line, without_blue_band


def eu_plate(slogan=True):
    """A 70×240 white plate: a 24 px blue band at the left, six 32 px characters, a line of 6 px text below."""
    plate = np.full((70, 240, 3), 235, np.uint8)
    plate[:, :24] = (160, 60, 20)  # BGR blue
    for i in range(6):
        cv2.rectangle(plate, (40 + i * 32, 12), (58 + i * 32, 44), (20, 20, 20), -1)
    if slogan:
        for i in range(12):
            cv2.rectangle(plate, (40 + i * 15, 54), (48 + i * 15, 60), (20, 20, 20), -1)
    return plate


def test_the_blue_band_is_cut_off_and_the_characters_stay():
    cut = without_blue_band(eu_plate())
    assert cut.shape[1] == 240 - 24
    assert (cut[20:40, :, 0] < 100).any()  # the characters are still there


def test_the_main_line_drops_the_small_text_below_it():
    cut = main_line(eu_plate())
    assert cut.shape[0] <= 52  # the slogan (rows 54–60) is gone, the characters (12–44) stay
    grey = cv2.cvtColor(cut, cv2.COLOR_BGR2GRAY)
    assert (grey < 100).sum() >= 6 * 18 * 30


def test_a_crop_with_no_line_of_characters_is_left_as_it_is():
    blank = np.full((40, 120, 3), 200, np.uint8)
    assert main_line(blank).shape == blank.shape
