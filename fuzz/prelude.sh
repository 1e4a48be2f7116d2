# Sourced by run.sh and campaign.sh after they read their first argument: the targets to run
# (the remaining arguments, or every target), the seeds made from ../shared, and the build.
# cargo-fuzz needs nightly features; RUSTC_BOOTSTRAP=1 lets the stable toolchain provide them.
# The caller sets `sanitizer` (address or none); each has its own target directory so that
# switching does not rebuild the other.
shared=${TEGAMI_SHARED:-$here/../../shared}
export RUSTC_BOOTSTRAP=1
cd "$here"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo fuzz list)
fi
fuzz_flags=(-O -s "$sanitizer")
if [ "$sanitizer" != address ]; then
  fuzz_flags+=(--target-dir "target/$sanitizer")
fi
python3 seeds.py "$shared" seeds >/dev/null
cargo fuzz build "${fuzz_flags[@]}"
