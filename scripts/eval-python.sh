# shellcheck shell=bash
# The Python peer of the face-recognition evaluation: `face_recognition` 1.3.0 (dlib's HOG detector
# and ResNet embedding) in its own venv under $IDV_TOOLS_DIR. Source after lib.sh.
#
# dlib comes from the prebuilt `dlib-bin` wheel (the `dlib` sdist compiles for many minutes), so
# face_recognition itself is installed with --no-deps and its other dependencies are named here.
# face_recognition_models imports pkg_resources at run time, which setuptools 81 dropped: pin one
# that still has it.

FR_VENV_VERSION=1
FR_REQUIREMENTS=(
  dlib-bin==20.0.1.post1
  face_recognition_models==0.3.0
  numpy==2.4.6
  Pillow==12.1.1
  Click==8.3.1
  setuptools==75.8.2
)
FR_FACE_RECOGNITION=face_recognition==1.3.0

# ensure_face_recognition_venv: creates the venv once; sets and exports FR_PYTHON (its python).
ensure_face_recognition_venv() {
  local dir="$IDV_TOOLS_DIR/face-recognition-venv-$FR_VENV_VERSION"
  FR_PYTHON="$dir/bin/python"
  export FR_PYTHON
  [ -f "$dir/.complete" ] && [ -x "$FR_PYTHON" ] && return 0
  command -v python3 >/dev/null || ensure_apt python3 python3-venv
  log "creating the face_recognition venv in $dir (first time only; ~100 MB of models)"
  rm -rf "$dir"
  python3 -m venv "$dir" >&2 || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
  "$FR_PYTHON" -m pip install --quiet --disable-pip-version-check --no-input \
    "${FR_REQUIREMENTS[@]}" >&2 || die "pip install of the face_recognition dependencies failed"
  "$FR_PYTHON" -m pip install --quiet --disable-pip-version-check --no-input --no-deps \
    "$FR_FACE_RECOGNITION" >&2 || die "pip install $FR_FACE_RECOGNITION failed"
  "$FR_PYTHON" -c 'import dlib, face_recognition; print("dlib", dlib.__version__)' >&2 ||
    die "face_recognition does not import in $dir"
  touch "$dir/.complete"
}
