#!/usr/bin/env bash
# Install and packaging test: usage: install_test.sh BUILD_DIR SOURCE_DIR
#
# Checks, against a built tree configured with cmake/install.cmake:
#   1. `cmake --install BUILD --prefix TMP` puts the binary, the man page, the bash, zsh and fish
#      completions and the README in their standard places, and TMP/bin/vramest --version runs
#      from another directory (and matches the version on the installed man page);
#   2. docs/vramest.1 renders without warnings (groff -ww), documents every command, and lists
#      every option each command's --help prints, with its value name exactly as --help prints
#      it, in that command's subsection of OPTIONS (or under "Common options"), and no option a
#      command does not have; the exit codes and environment variables of `vramest --help`
#      appear under EXIT STATUS and ENVIRONMENT;
#   3. the installed bash completion, run with COMP_WORDS/COMP_CWORD set, completes
#      subcommands, option values and GPU/model/format ids from the installed binary, caches
#      them, and offers every long option of every command; zsh and fish completions parse and
#      load their ids (fish: the same cases through `complete -C`), when those shells exist;
#   4. `cpack -G DEB` (into a temporary directory) makes vramest_<version>_<arch>.deb whose
#      contents (dpkg-deb -c) include usr/bin/vramest, the man page and the three completions,
#      and whose control fields name the package, version, section and libc6 dependency.
#
# Exit status: 0 when every check passed, 1 when one failed (each failure is printed as
# "install_test: FAIL: ..."), 77 (ctest SKIP_RETURN_CODE) when none failed but a check could not
# run because a tool is missing (groff, zsh, fish, dpkg-deb; each printed as "SKIP").
# CMAKE and CPACK in the environment override the cmake and cpack found on PATH.

# Scripts for other shells are written in single quotes on purpose.
# shellcheck disable=SC2016
set -u -o pipefail

if (($# != 2)); then
    echo "usage: $0 BUILD_DIR SOURCE_DIR" >&2
    exit 2
fi
build=$(cd "$1" 2>/dev/null && pwd) || { echo "install_test: FAIL: no build directory '$1'" >&2; exit 1; }
src=$(cd "$2" 2>/dev/null && pwd) || { echo "install_test: FAIL: no source directory '$2'" >&2; exit 1; }
cmake=${CMAKE:-cmake}
cpack=${CPACK:-$(dirname "$(command -v "$cmake" 2>/dev/null || echo /usr/bin/cmake)")/cpack}
man_src=$src/docs/vramest.1

failures=0
skips=0
fail() { echo "install_test: FAIL: $*" >&2; failures=$((failures + 1)); }
skip() { echo "install_test: SKIP: $*"; skips=$((skips + 1)); }
note() { echo "install_test: $*"; }
finish() {
    if ((failures)); then
        echo "install_test: $failures check(s) failed" >&2
        exit 1
    fi
    if ((skips)); then
        note "no failures; $skips check(s) skipped"
        exit 77
    fi
    note "all checks passed"
    exit 0
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vramest-install-test.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

# ------------------------------------------------------------------------------------------------
# 1. cmake --install
# ------------------------------------------------------------------------------------------------
if ! "$cmake" --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1; then
    cat "$tmp/install.log" >&2
    fail "cmake --install $build --prefix $prefix failed (is the tree built?)"
    finish
fi

bin=$prefix/bin/vramest
[[ -x $bin ]] || fail "the binary is not at bin/vramest"
man_installed=
for f in "$prefix/share/man/man1/vramest.1.gz" "$prefix/share/man/man1/vramest.1"; do
    [[ -f $f ]] && { man_installed=$f; break; }
done
[[ -n $man_installed ]] || fail "no man page at share/man/man1/vramest.1(.gz) (is cmake/install.cmake included?)"
declare -A installed=(
    [bash completion]=share/bash-completion/completions/vramest
    [zsh completion]=share/zsh/vendor-completions/_vramest
    [fish completion]=share/fish/vendor_completions.d/vramest.fish
    [README]=share/doc/vramest/README.md
)
for what in "${!installed[@]}"; do
    [[ -f $prefix/${installed[$what]} ]] || fail "no $what at ${installed[$what]}"
done

version=
if [[ -x $bin ]]; then
    if version=$(cd / && "$bin" --version 2>&1); then
        [[ $version =~ ^vramest\ [0-9]+\.[0-9]+\.[0-9]+ ]] ||
            fail "bin/vramest --version printed '$version', not 'vramest X.Y.Z'"
        version=${version#vramest }
    else
        fail "bin/vramest --version, run from /, failed: $version"
        version=
    fi
fi
if [[ -n $man_installed && -n $version ]]; then
    th=$( (gzip -dc "$man_installed" 2>/dev/null || cat "$man_installed") | grep -m1 '^\.TH')
    [[ $th == *"\"vramest $version\""* ]] ||
        fail "the installed man page's .TH line ($th) does not carry version $version"
fi
if ((failures)); then
    finish  # the rest needs a working install
fi
note "installed into $prefix: binary (vramest $version), man page, completions, README"

# Help text of each command: the top level and every subcommand its --help lists.
"$bin" --help >"$tmp/help-main" 2>&1 || fail "vramest --help failed"
mapfile -t commands < <(awk '/^Subcommands:/ {on = 1; next} /^$/ {on = 0} on && /^  [a-z]/ {print $1}' "$tmp/help-main")
((${#commands[@]})) || fail "vramest --help lists no subcommands"
for c in "${commands[@]}"; do
    "$bin" "$c" --help >"$tmp/help-$c" 2>&1 || fail "vramest $c --help failed"
done

# Prints the options of a --help text, one per line, as the man page must write them: the names
# joined by ", ", then the value name and "..." exactly as --help prints them
# ("-p, --precision NAME", "--gpu ID ...", "--json").
help_options() {
    local line on=0 re='^  (-[^ ]+)( [A-Z][A-Z0-9_]*( \.\.\.)?)?( REQUIRED)?( |$)'
    while IFS= read -r line; do
        case $line in
            Options:) on=1; continue ;;
            '') on=0; continue ;;
        esac
        if ((on)) && [[ $line =~ $re ]]; then
            printf '%s%s\n' "${BASH_REMATCH[1]//,/, }" "${BASH_REMATCH[2]}"
        fi
    done <"$1"
}

# ------------------------------------------------------------------------------------------------
# 2. The man page
# ------------------------------------------------------------------------------------------------
if command -v groff >/dev/null 2>&1; then
    if ! groff -man -Tutf8 -ww "$man_src" >/dev/null 2>"$tmp/groff.err" || [[ -s $tmp/groff.err ]]; then
        fail "groff -man -Tutf8 -ww docs/vramest.1 warns: $(head -5 "$tmp/groff.err")"
    fi
else
    skip "groff is not installed: the man page's rendering was not checked (apt-get install groff-base)"
fi

# The page's source with font escapes removed and \- as -, so that option tags read as text;
# then "subsection<TAB>tag" for every .TP tag under OPTIONS.
sed -e 's/\\f[BIRP]//g' -e 's/\\f([A-Z][A-Z]//g' -e 's/\\-/-/g' -e "s/\\\\(aq/'/g" -e 's/\\&//g' \
    "$man_src" >"$tmp/man.txt"
awk '
    /^\.SH/ { options = ($2 == "OPTIONS"); section = ""; next }
    /^\.SS/ { s = $0; sub(/^\.SS[ \t]+/, "", s); gsub(/"/, "", s); section = s; next }
    /^\.TP/ { tag = 1; next }
    tag { tag = 0; if (options && section != "") print section "\t" $0 }
' "$tmp/man.txt" >"$tmp/man-tags"

man_section_of() { [[ -z $1 ]] && echo "vramest [MODEL]" || echo "vramest $1"; }

# Whether tag $2 is listed in subsection $1 (or under Common options): the .TP line is the tag,
# or the tag followed by a space (as in "--models LIST (required)").
man_lists() {
    local section=$1 want=$2 s t
    while IFS=$'\t' read -r s t; do
        [[ $s == "$section" || $s == "Common options" ]] || continue
        [[ $t == "$want" || $t == "$want "* ]] && return 0
    done <"$tmp/man-tags"
    return 1
}

checked=0
for c in "" "${commands[@]}"; do
    help=$tmp/help-${c:-main}
    section=$(man_section_of "$c")
    name="vramest${c:+ $c}"
    grep -qxF ".SS \"$section\"" "$tmp/man.txt" ||
        fail "docs/vramest.1 has no OPTIONS subsection .SS \"$section\" for '$name'"
    if [[ -n $c ]]; then
        grep -q "^vramest $c\\b" <(sed -n '/^\.SH SYNOPSIS/,/^\.SH/p' "$tmp/man.txt") ||
            fail "docs/vramest.1's SYNOPSIS does not show 'vramest $c'"
    fi
    mapfile -t opts < <(help_options "$help")
    ((${#opts[@]})) || fail "found no options in '$name --help'"
    for o in "${opts[@]}"; do
        checked=$((checked + 1))
        man_lists "$section" "$o" ||
            fail "'$name --help' prints '$o', which docs/vramest.1 does not list under \"$section\" or \"Common options\" (write it as a .TP tag: $o)"
    done
    # The other way: every option the page gives this command exists.
    while IFS=$'\t' read -r s t; do
        [[ $s == "$section" ]] || continue
        found=0
        for o in "${opts[@]}"; do
            [[ $t == "$o" || $t == "$o "* ]] && { found=1; break; }
        done
        ((found)) || fail "docs/vramest.1 lists '$t' under \"$section\", which '$name --help' does not print"
    done <"$tmp/man-tags"
done
# Common options must exist in the top-level help.
mapfile -t main_opts < <(help_options "$tmp/help-main")
while IFS=$'\t' read -r s t; do
    [[ $s == "Common options" ]] || continue
    found=0
    for o in "${main_opts[@]}"; do
        [[ $t == "$o" || $t == "$o "* ]] && { found=1; break; }
    done
    ((found)) || fail "docs/vramest.1 lists '$t' under \"Common options\", which 'vramest --help' does not print"
done <"$tmp/man-tags"
# Documented subsections for commands the binary does not have (yet): a note, not a failure.
while IFS= read -r s; do
    c=${s#vramest }
    [[ $s == "vramest [MODEL]" || $s == "Common options" ]] && continue
    [[ " ${commands[*]} " == *" $c "* ]] || note "note: docs/vramest.1 documents '$s', which this binary's --help does not list (not checked)"
done < <(sed -n 's/^\.SS "\(.*\)"$/\1/p' "$tmp/man.txt")

# Exit codes and environment variables named by the top-level help.
exit_section=$(sed -n '/^\.SH EXIT STATUS/,/^\.SH/p' "$tmp/man.txt")
# shellcheck disable=SC2013  # the words are numbers
for code in $(sed -n 's/^Exit codes: //p' "$tmp/help-main" | grep -o '\b[0-9]\+ [a-z]' | cut -d' ' -f1); do
    grep -qx "\.B $code" <<<"$exit_section" || fail "exit code $code (vramest --help) is not under EXIT STATUS in docs/vramest.1"
done
env_section=$(sed -n '/^\.SH ENVIRONMENT/,/^\.SH/p' "$tmp/man.txt")
# shellcheck disable=SC2013  # the words are variable names
for var in $(sed -n '/^Environment:/,$p' "$tmp/help-main" | grep -o '\b[A-Z][A-Z_]*_[A-Z_]*\b' | sort -u); do
    grep -qx "\.B $var" <<<"$env_section" || fail "environment variable $var (vramest --help) is not under ENVIRONMENT in docs/vramest.1"
done
note "man page: $checked options of ${#commands[@]} subcommands and the estimate checked against --help"

# ------------------------------------------------------------------------------------------------
# 3. Completions
# ------------------------------------------------------------------------------------------------
# Bash: a clean shell sources the installed completion; `expect MODE WORDS... :: EXPECTED...` sets
# COMP_WORDS to WORDS (the last one is being completed), runs _vramest and checks COMPREPLY.
# Modes: "=" exactly these, "+" contains at least these, "^" every reply starts with the word
# and there is at least one, "-" contains none of these.
cat >"$tmp/bash-test.sh" <<'EOF'
source "$1" || { echo "sourcing the completion failed"; exit 1; }
[[ $(complete -p vramest 2>/dev/null) == *"-F _vramest"* ]] || { echo "no 'complete -F _vramest vramest'"; exit 1; }
bad=0
expect() {
    local mode=$1 words=() want=() seen=0 w
    shift
    for w in "$@"; do
        if ((seen)); then want+=("$w"); elif [[ $w == :: ]]; then seen=1; else words+=("$w"); fi
    done
    COMP_WORDS=("${words[@]}")
    COMP_CWORD=$((${#words[@]} - 1))
    COMP_LINE="${words[*]}"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    _vramest
    local got=" ${COMPREPLY[*]} " ok=1
    case $mode in
        =) local a b; a=$(printf '%s\n' "${COMPREPLY[@]}" | sort); b=$(printf '%s\n' "${want[@]}" | sort)
           [[ $a == "$b" ]] || ok=0 ;;
        +) for w in "${want[@]}"; do [[ $got == *" $w "* ]] || ok=0; done ;;
        -) for w in "${want[@]}"; do [[ $got == *" $w "* ]] && ok=0; done ;;
        ^) ((${#COMPREPLY[@]})) || ok=0
           for w in "${COMPREPLY[@]}"; do [[ $w == "${want[0]}"* ]] || ok=0; done ;;
    esac
    if ((!ok)); then
        echo "completing '${words[*]}': expected ($mode) '${want[*]}', got '${COMPREPLY[*]}'"
        bad=1
    fi
}
expect + vramest '' :: gpus models formats fit sweep inspect llama-3.1-8b
expect = vramest fo :: formats
expect = vramest --engine '' :: transformers vllm llamacpp
expect = vramest --engine = v :: vllm
expect = vramest llama-3.1-8b --mode '' :: inference train lora qlora
expect = vramest --method '' :: rule detailed
expect = vramest --units '' :: gb gib
expect + vramest --kv-dtype q :: q8_0 q4_0
expect + vramest --optimizer '' :: adamw adamw-8bit lion
expect = vramest --grad-checkpointing '' :: none selective full
expect = vramest --offload '' :: optimizer params
expect = vramest sweep --output '' :: csv jsonl
expect ^ vramest --gpu rtx-40 :: rtx-40
expect + vramest --gpu rtx-40 :: rtx-4090 rtx-4070
expect + vramest 14B --gpu rtx-4090 rtx-30 :: rtx-3090
expect + vramest fit qwen3- :: qwen3-8b
expect + vramest sweep --gpus rtx-4090,h1 :: rtx-4090,h100-sxm
expect + vramest sweep --models llama-3.1-8b,qwen3-8 :: llama-3.1-8b,qwen3-8b
expect = vramest -p q4_k :: q4_k_m q4_k_s
expect + vramest -p a :: all awq
expect + vramest gpus -- :: --segment --vendor --json
expect - vramest gpus -- :: --precision --mode
[[ -n ${_vramest_cache_gpus-} ]] || { echo "GPU ids were not cached in _vramest_cache_gpus"; bad=1; }
# From the cache: with no binary to run, ids still complete.
PATH=/nonexistent expect + vramest --gpu rtx-409 :: rtx-4090
EOF
# Every long option of every command is offered after "--".
{
    for c in "" "${commands[@]}"; do
        longs=$(help_options "$tmp/help-${c:-main}" | grep -o -- '--[a-z0-9-]*' | tr '\n' ' ')
        echo "expect + vramest ${c:+$c }-- :: $longs"
    done
    echo 'exit $bad'
} >"$tmp/bash-options.sh"
cat "$tmp/bash-options.sh" >>"$tmp/bash-test.sh"
if out=$(cd "$tmp" && env -i HOME="$tmp" PATH="$prefix/bin:/usr/bin:/bin" bash --norc --noprofile \
        "$tmp/bash-test.sh" "$prefix/share/bash-completion/completions/vramest" 2>&1); then
    note "bash completion: subcommands, option values, catalog ids (cached) and every option complete"
else
    fail "bash completion: $out"
fi

if command -v zsh >/dev/null 2>&1; then
    zfile=$prefix/share/zsh/vendor-completions/_vramest
    if ! out=$(zsh -n "$zfile" 2>&1); then
        fail "zsh completion does not parse: $out"
    elif ! out=$(cd "$tmp" && env -i HOME="$tmp" PATH="$prefix/bin:/usr/bin:/bin" zsh -f -c '
            fpath=("$1" $fpath); autoload -U compinit; compinit -u -D -d "$HOME/.zcompdump"
            [[ $_comps[vramest] == _vramest ]] || { echo "compinit did not register _vramest"; exit 1; }
            source "$1/_vramest"
            words=(vramest); local -a reply
            _vramest_ids gpus; (( ${reply[(I)rtx-4090]} )) || { echo "GPU ids: ${reply[*]}"; exit 1; }
            _vramest_ids models; (( ${reply[(I)llama-3.1-8b]} )) || { echo "model ids: ${reply[*]}"; exit 1; }
            _vramest_ids formats; (( ${reply[(I)q4_k_m]} )) || { echo "format ids: ${reply[*]}"; exit 1; }
        ' zsh "${zfile%/*}" 2>&1); then
        fail "zsh completion: $out"
    else
        note "zsh completion: parses, registers with compinit, loads GPU/model/format ids"
    fi
else
    skip "zsh is not installed: the zsh completion was not checked"
fi

if command -v fish >/dev/null 2>&1; then
    ffile=$prefix/share/fish/vendor_completions.d/vramest.fish
    cat >"$tmp/fish-test.fish" <<'EOF'
source $argv[1]; or exit 1
set -g bad 0
function expect -a line
    set -l got (complete -C"$line" | string replace -r '\t.*' '')
    for w in $argv[2..-1]
        if not contains -- $w $got
            echo "completing '$line': expected '$w', got '$got'"
            set bad 1
        end
    end
end
expect 'vramest ' gpus models formats fit sweep inspect
expect 'vramest --engine ' transformers vllm llamacpp
expect 'vramest --gpu rtx-40' rtx-4090 rtx-4070
expect 'vramest sweep --gpus rtx-4090,h1' rtx-4090,h100-sxm
expect 'vramest fit qwen3-' qwen3-8b
expect 'vramest -p q4_k' q4_k_m q4_k_s
expect 'vramest --mode ' inference train lora qlora
EOF
    for c in "" "${commands[@]}"; do
        echo "expect 'vramest ${c:+$c }--' $(help_options "$tmp/help-${c:-main}" | grep -o -- '--[a-z0-9-]*' | tr '\n' ' ')"
    done >>"$tmp/fish-test.fish"
    echo 'exit $bad' >>"$tmp/fish-test.fish"
    if ! out=$(fish -n "$ffile" 2>&1); then
        fail "fish completion does not parse: $out"
    elif ! out=$(cd "$tmp" && env -i HOME="$tmp" XDG_CONFIG_HOME="$tmp/fish-config" XDG_DATA_HOME="$tmp/fish-data" \
            PATH="$prefix/bin:/usr/bin:/bin" fish --no-config "$tmp/fish-test.fish" "$ffile" 2>&1); then
        fail "fish completion: $out"
    else
        note "fish completion: subcommands, option values, catalog ids and every option complete"
    fi
else
    skip "fish is not installed: the fish completion was not checked"
fi

# ------------------------------------------------------------------------------------------------
# 4. The Debian package
# ------------------------------------------------------------------------------------------------
if [[ ! -f $build/CPackConfig.cmake ]]; then
    fail "no $build/CPackConfig.cmake (is cmake/install.cmake included?)"
elif ! command -v dpkg-deb >/dev/null 2>&1; then
    skip "dpkg-deb is not installed: the Debian package was not built"
elif ! (cd "$build" && "$cpack" --config "$build/CPackConfig.cmake" -G DEB -B "$tmp/pkg") >"$tmp/cpack.log" 2>&1; then
    tail -20 "$tmp/cpack.log" >&2
    fail "cpack -G DEB failed"
else
    mapfile -t debs < <(find "$tmp/pkg" -maxdepth 1 -name '*.deb')
    arch=$(dpkg --print-architecture 2>/dev/null || echo '*')
    if ((${#debs[@]} != 1)); then
        fail "cpack -G DEB made ${#debs[@]} .deb files, not one: ${debs[*]}"
    else
        deb=${debs[0]}
        # shellcheck disable=SC2053  # $arch may be the pattern *
        [[ ${deb##*/} == vramest_${version}_$arch.deb ]] ||
            fail "the package is named ${deb##*/}, not vramest_${version}_$arch.deb (Debian's convention)"
        dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./||' >"$tmp/deb-files" ||
            fail "dpkg-deb -c ${deb##*/} failed"
        for path in usr/bin/vramest usr/share/bash-completion/completions/vramest \
            usr/share/zsh/vendor-completions/_vramest usr/share/fish/vendor_completions.d/vramest.fish \
            usr/share/doc/vramest/README.md; do
            grep -qxF "$path" "$tmp/deb-files" || fail "${deb##*/} does not contain $path"
        done
        grep -qxE 'usr/share/man/man1/vramest\.1(\.gz)?' "$tmp/deb-files" ||
            fail "${deb##*/} does not contain usr/share/man/man1/vramest.1(.gz)"
        field() { dpkg-deb -f "$deb" "$1"; }
        [[ $(field Package) == vramest ]] || fail "${deb##*/}: Package is '$(field Package)', not vramest"
        [[ $(field Version) == "$version" ]] || fail "${deb##*/}: Version is '$(field Version)', not $version"
        [[ $(field Section) == utils ]] || fail "${deb##*/}: Section is '$(field Section)', not utils"
        [[ $(field Depends) == *libc6* ]] || fail "${deb##*/}: Depends ('$(field Depends)') does not name libc6"
        [[ -n $(field Maintainer) ]] || fail "${deb##*/}: no Maintainer"
        [[ -n $(field Description) ]] || fail "${deb##*/}: no Description"
        note "package ${deb##*/}: $(wc -l <"$tmp/deb-files") entries, Depends: $(field Depends)"
    fi
fi

finish
