"""Breaks the code once per guarding test and checks that the test then fails (a hand-made mutation test).

Each mutant replaces one exact snippet of a module with a wrong version, runs the tests that guard
that behaviour, and restores the file (also on Ctrl-C). A mutant whose tests still pass is a test that
cannot fail: the script lists it and exits 1. The snippet must occur exactly once, so a refactoring
that moves the code makes the script say so instead of silently testing nothing.

Run: python dev/break_tests.py [--only NAME ...]     (a few minutes; uses the test fixtures only)
"""

import argparse
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]

# name: (file, right snippet, wrong snippet, tests that must fail)
MUTANTS = {
    "the optimizer is built inside the first train step": (
        "keras_fer/training/model.py",
        "    model.optimizer.build(model.trainable_variables)\n",
        "",
        ["tests/test_training.py::test_alike_splits_give_no_warning_and_the_train_step_is_traced_once"],
    ),
    "Keras classes not registered when Keras arrives": (
        "keras_fer/__init__.py",
        'run_after_import("keras", _register_keras_classes)',
        "pass",
        ["tests/test_import_hooks.py"],
    ),
    "the TFDS builder not registered when TFDS arrives": (
        "tfds_fer2013/__init__.py",
        'run_after_import("tensorflow_datasets", _register_builder)',
        "pass",
        ["tests/test_import_hooks.py"],
    ),
    "carved sizes counted at every call": (
        "keras_fer/data.py",
        '        if saved.get("key") == key:',
        "        if False:",
        ["tests/test_data.py::test_carved_sizes_are_counted_once_per_prepared_copy"],
    ),
    "carved sizes read from another carve": (
        "keras_fer/data.py",
        '        if saved.get("key") == key:',
        '        if "key" in saved:',
        ["tests/test_data.py::test_carved_sizes_are_counted_once_per_prepared_copy"],
    ),
    "public_test shuffled": (
        "keras_fer/data.py",
        'shuffle = split.startswith("train")',
        "shuffle = True",
        ["tests/test_data.py::test_public_test_is_not_shuffled_and_matches_arrays"],
    ),
    "checkpoint saves every epoch": (
        "keras_fer/callbacks/checkpoint.py",
        'if not (value > self.best if self.mode == "max" else value < self.best):',
        "if False:",
        ["tests/test_checkpoint.py::test_keeps_the_best_epoch_when_accuracy_goes_down_later"],
    ),
    "checkpoint resumes from scratch": (
        "keras_fer/callbacks/checkpoint.py",
        'if info.get("monitor") == monitor:',
        "if False:",
        ["tests/test_checkpoint.py::test_resume_starts_from_the_recorded_best"],
    ),
    "checkpoint written in place": (
        "keras_fer/callbacks/checkpoint.py",
        "with atomic_path(self.filepath) as tmp:",
        "for tmp in [self.filepath]:",
        ["tests/test_checkpoint.py::test_a_failed_save_leaves_the_previous_best"],
    ),
    "best.keras needs keras_fer": (
        "keras_fer/callbacks/checkpoint.py",
        "functional_twin(self.model).save(tmp, overwrite=True)",
        "self.model.save(tmp, overwrite=True)",
        ["tests/test_cli.py::test_best_model_takes_raw_pixels_and_loads_without_custom_objects"],
    ),
    "tf.data augments with the backend's ops": (
        "keras_fer/data.py",
        "augment.augment(x, uniform, k, ops=tensorflow_ops())",
        "augment.augment(x, uniform, k)",
        ["tests/test_data.py::test_augmented_pipeline_under_the_jax_backend"],
    ),
    "a loaded model loses a setting": (
        "keras_fer/models/_common.py",
        "return cls(**config)",
        'return cls(**{k: v for k, v in config.items() if k != "head_dropout"})',
        ["tests/test_cnn.py::test_save_load_round_trip_identical_predictions"],
    ),
    "epochs counted from the restart (tf.data)": (
        "keras_fer/data.py",
        "key = (0 if seed is None else int(seed)) * 1_000_003 + epoch",
        "key = (0 if seed is None else int(seed)) * 1_000_003 + epoch - int(initial_epoch)",
        ["tests/test_resume_exact.py::test_killed_and_resumed_equals_never_interrupted[tensorflow]"],
    ),
    "epochs counted from the restart (arrays)": (
        "keras_fer/data.py",
        "order = np.random.default_rng([int(seed), int(self.epoch)]).permutation(len(x))",
        "order = np.random.default_rng([int(seed), int(self.epoch) - int(epoch)]).permutation(len(x))",
        ["tests/test_resume_exact.py::test_killed_and_resumed_equals_never_interrupted[jax]"],
    ),
    "the seed set after the data": (
        "keras_fer/training/run.py",
        "    keras.utils.set_random_seed(plan.config.seed)\n",
        "",
        ["tests/test_resume_exact.py::test_killed_and_resumed_equals_never_interrupted[tensorflow]"],
    ),
    "validation overlaps what is fitted": (
        "keras_fer/data.py",
        'keep = validation_mask(x) == (split == "validation")',
        "keep = np.ones(len(x), bool)",
        ["tests/test_data.py::test_validation_is_carved_out_of_train_alike_on_both_paths"],
    ),
    "faceless frames held to the end": (
        "keras_fer/faces/job.py",
        " or len(self.items) >= self.batch_size",
        "",
        ["tests/test_detect.py::test_a_long_faceless_video_is_never_held_in_memory"],
    ),
    "faces not followed across frames": (
        "keras_fer/faces/tracking.py",
        "                ids[i] = k\n",
        "                pass\n",
        ["tests/test_detect.py::test_two_people_in_a_video_keep_their_tracks"],
    ),
    "EXIF orientation ignored": (
        "keras_fer/faces/reading.py",
        "cv2.imdecode(data, cv2.IMREAD_COLOR)",
        "cv2.imdecode(data, cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION)",
        ["tests/test_detect.py::test_exif_orientation_is_honoured_for_paths_and_pil_images"],
    ),
    "border clipped instead of repeated": (
        "keras_fer/faces/framing.py",
        "crop = cv2.getRectSubPix(gray, (n, n), (cx - 0.5, cy - 0.5))",
        "crop = gray[max(int(cy - n / 2), 0):int(cy + n / 2), max(int(cx - n / 2), 0):int(cx + n / 2)]",
        ["tests/test_framing.py::test_outside_the_image_the_edge_is_repeated_not_stretched"],
    ),
    "ONNX export of a model never called": (
        "keras_fer/export.py",
        "    model(np.zeros((1,) + tuple(model.input_shape[1:]), np.float32))\n",
        "",
        ["tests/test_export.py::test_onnx_of_a_loaded_model_never_called_names_its_output_and_classes"],
    ),
    "no second search inside a border": (
        "keras_fer/faces/detectors.py",
        "if not self.pad_fraction:",
        "if True:",
        ["tests/test_detect.py::test_a_face_that_fills_its_photo_is_found_inside_a_border"],
    ),
    "image files resized another way than faces": (
        "tfds_fer2013/readers.py",
        "return resize_face(np.asarray(image, dtype=np.uint8))[:, :, None]",
        "return np.asarray(image.resize((48, 48), Image.NEAREST), dtype=np.uint8)[:, :, None]",
        ["tests/test_readers.py::test_a_resized_image_file_equals_the_face_pipelines_crop_of_the_whole_photo"],
    ),
    "checkpoint direction by substring": (
        "keras_fer/callbacks/checkpoint.py",
        "self.mode = monitor_mode(self.model, self.monitor)",
        'self.mode = "max" if "acc" in self.monitor else "min"',
        ["tests/test_checkpoint.py::test_auto_mode_is_keras_rule_f1_rises_and_an_unknown_metric_asks_for_a_mode"],
    ),
    "dtype= ignored": (
        "keras_fer/models/_common.py",
        "    keras.config.set_dtype_policy(dtype)\n    try:",
        "    try:",
        ["tests/test_model_dtype.py"],
    ),
    "CLI hides every ValueError": (
        "keras_fer/cli.py",
        "except (KerasFerError, FerDataError, FerLayoutError, FileNotFoundError) as err:",
        "except (KerasFerError, FerDataError, FerLayoutError, FileNotFoundError, ValueError) as err:",
        ["tests/test_cli.py::test_only_keras_fers_own_errors_become_one_line"],
    ),
    "EMA resumed from the average as if raw": (
        "keras_fer/callbacks/ema.py",
        "self._ema_weights_in_model = self.resumed",
        "self._ema_weights_in_model = False",
        ["tests/test_resume_exact.py::test_killed_and_resumed_equals_never_interrupted[tensorflow]"],
    ),
    "EMA not swapped in for validation": (
        "keras_fer/training/wiring.py",
        "callbacks.insert(0, SwapEMAWeights(resumed))",
        "pass",
        ["tests/test_recipes.py::test_ema_weights_are_what_validation_and_the_checkpoint_see"],
    ),
    "mixup replays batch 0 on resume": (
        "keras_fer/training/inputs.py",
        "first_batch=initial_epoch * steps)",
        "first_batch=0)",
        ["tests/test_resume_exact.py::test_killed_and_resumed_equals_never_interrupted[tensorflow]"],
    ),
    "erasing not applied": (
        "keras_fer/layers/augmentation.py",
        "out = erase(ops, out, uniform, self.erasing, self.value_range)",
        "pass",
        ["tests/test_augmentation.py::test_erasing_replaces_one_rectangle_per_chosen_image_in_a_model_and_in_tf_data"],
    ),
    "serve: uploads spooled to disk": (
        "keras_fer/serve/app.py",
        "spool_max_size = max_bytes + FORM_OVERHEAD",
        "spool_max_size = 1024 * 1024",
        ["tests/test_serve_app.py::test_uploads_over_the_limit_are_refused_and_nothing_spools_to_disk"],
    ),
    "serve: no pixel limit": (
        "keras_fer/serve/uploads.py",
        "if width * height > max_pixels:",
        "if False:",
        ["tests/test_serve_uploads.py::test_decompression_bombs_are_refused_before_decoding"],
    ),
    "serve: every request its own model call": (
        "keras_fer/serve/batching.py",
        "while count < self.max_batch:",
        "while False:",
        ["tests/test_serve_batching.py::test_concurrent_requests_share_calls_and_get_their_own_rows",
         "tests/test_serve_app.py::test_concurrent_clients_are_batched_and_a_full_server_answers_503"],
    ),
    "serve: results go to the wrong request": (
        "keras_fer/serve/batching.py",
        "future.set_result(probs[start:start + len(crops)])",
        "future.set_result(probs[:len(crops)])",
        ["tests/test_serve_batching.py::test_concurrent_requests_share_calls_and_get_their_own_rows"],
    ),
    "serve: an unbounded queue": (
        "keras_fer/serve/batching.py",
        "if self._queue.qsize() >= self.max_waiting:",
        "if False:",
        ["tests/test_serve_batching.py::test_a_full_queue_answers_busy_and_a_broken_model_reaches_every_waiter",
         "tests/test_serve_app.py::test_concurrent_clients_are_batched_and_a_full_server_answers_503"],
    ),
    "serve: the page sends no frames": (
        "keras_fer/serve/static/app.js",
        "const result = await detect(blob, live.stream);",
        "const result = {faces: [], seconds: 0}; await sleep(100);",
        ["tests/test_serve_live.py::test_the_server_on_loopback_the_page_in_a_real_browser_then_ctrl_c"],
    ),
    "distill ignored (tf.data)": (
        "keras_fer/training/inputs.py",
        "label_map=label_map, **common)",
        "label_map=None, **common)",
        ["tests/test_teacher.py::test_a_distilled_run_learns_the_teachers_targets[tf.data]"],
    ),
    "distill ignored (arrays)": (
        "keras_fer/training/inputs.py",
        "y_fit = teacher.soft_targets(teacher.teacher_probabilities(x_train), y_train, recipe.distill)",
        "y_fit = y_fit",
        ["tests/test_teacher.py::test_a_distilled_run_learns_the_teachers_targets[arrays]"],
    ),
    "distill targets looked up by position": (
        "keras_fer/training/teacher.py",
        "rows = table.lookup(image_keys(x))",
        "rows = tf.range(tf.shape(x)[0], dtype=tf.int64)",
        ["tests/test_teacher.py::test_target_map_finds_each_image_after_shuffling",
         "tests/test_teacher.py::test_load_keeps_each_images_target_through_augmentation"],
    ),
    "a tilted face taken from any turned search": (
        "keras_fer/faces/detectors.py",
        "if len(boxes) and counts.max() > most:",
        "if len(boxes) and not len(best):",
        ["tests/test_detect.py::test_a_tilted_face_is_found_turned_and_boxed_around_its_centre",
         "tests/test_detect.py::test_faceless_pictures_give_no_turned_face"],
    ),
    "a profile face found mirrored is not mirrored back": (
        "keras_fer/faces/detectors.py",
        "best[:, 0] = width - best[:, 0] - best[:, 2]",
        "pass",
        ["tests/test_detect.py::test_a_face_turned_sideways_is_found_by_the_profile_cascade"],
    ),
    "profile faces taken at any count": (
        "keras_fer/faces/detectors.py",
        "best, most = np.zeros((0, 4), np.int64), PROFILE_MIN_NEIGHBORS - 1",
        "best, most = np.zeros((0, 4), np.int64), 0",
        ["tests/test_detect.py::test_faceless_pictures_give_no_turned_face"],
    ),
    "the zoom view is not enlarged back": (
        "keras_fer/models/tta.py",
        'return keras.ops.image.resize(centre, (height, width), interpolation="bilinear", antialias=False)',
        'return keras.ops.image.resize(inputs, (height, width), interpolation="bilinear", antialias=False)',
        ["tests/test_tta.py::test_zoom_is_the_centre_enlarged_as_opencv_enlarges_it",
         "tests/test_tta.py::test_zoom_tta_is_the_mean_of_four_views_and_round_trips"],
    ),
    "zoom TTA forgets the zoomed mirror": (
        "keras_fer/models/tta.py",
        'return [image, HorizontalFlip(name="mirror")(image), zoomed, HorizontalFlip(name="zoom_mirror")(zoomed)]',
        'return [image, HorizontalFlip(name="mirror")(image), zoomed, zoomed]',
        ["tests/test_tta.py::test_zoom_tta_is_the_mean_of_four_views_and_round_trips"],
    ),
    "the accurate recipe keeps robust's augmentation": (
        "keras_fer/recipes.py",
        'ACCURATE = dataclasses.replace(ROBUST, name="accurate", augmentation=None)',
        'ACCURATE = dataclasses.replace(ROBUST, name="accurate")',
        ["tests/test_recipes.py::test_accurate_is_robust_with_the_course_reports_augmentation"],
    ),
}


def run(name, file, right, wrong, tests):
    path = ROOT / file
    text = path.read_text()
    if text.count(right) != 1:
        return f"{name}: the snippet occurs {text.count(right)} times in {file}; update this script"
    try:
        path.write_text(text.replace(right, wrong))
        result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests],
                                cwd=ROOT, capture_output=True, text=True, check=False)
    finally:
        path.write_text(text)
    if result.returncode == 0:
        return f"{name}: {' '.join(tests)} still passes with the code broken"
    last = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "?"
    print(f"ok  {name}: {last}", flush=True)
    return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", nargs="*", choices=list(MUTANTS))
    args = parser.parse_args()
    problems = [p for p in (run(n, *MUTANTS[n]) for n in (args.only or MUTANTS)) if p]
    for problem in problems:
        print(f"FAIL {problem}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
