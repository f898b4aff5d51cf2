# bash completion for vramest                                  -*- shell-script -*-
#
# Installed as $datadir/bash-completion/completions/vramest (loaded on demand by the
# bash-completion package); or source this file from ~/.bashrc.  Self-contained: it needs
# neither bash-completion's helpers nor jq.
#
# GPU, model and format ids come from `vramest gpus|models|formats --json`, run the first time
# they are needed and cached for the rest of the shell session (unset _vramest_cache_gpus,
# _vramest_cache_models, _vramest_cache_formats or _vramest_cache_hf to refresh them).

# Loads the ids of one catalog (gpus, models, formats; hf: the models' Hugging Face names) into
# _vramest_cache_<kind>, one per line, by running the binary in $1 once per shell session.  It
# runs in the current shell (never in $(...)) so that the cache outlives the completion.
_vramest_load()
{
    local bin=$1 kind=$2 var=_vramest_cache_$2 out
    [[ -n ${!var-} ]] && return 0
    case $kind in
        hf) out=$("$bin" models --json 2>/dev/null |
                grep -o '"hf_id": *"[^"]*"' | sed 's/^"hf_id": *"//; s/"$//') ;;
        *) out=$("$bin" "$kind" --json 2>/dev/null |
                grep -o '"id": *"[^"]*"' | sed 's/^"id": *"//; s/"$//') ;;
    esac
    # Cache only what a working binary printed, so that a later try can still succeed.
    [[ -n $out ]] && printf -v "$var" '%s' "$out"
    return 0
}

# Adds to COMPREPLY the words of $1 (a whitespace-separated list) that complete $cur; with
# $2 = list, completes the last item of a comma-separated list (`--models a,b<TAB>`).
_vramest_add()
{
    local words=$1 prefix='' last=$cur w
    if [[ ${2-} == list && $cur == *,* ]]; then
        prefix=${cur%,*},
        last=${cur##*,}
    fi
    local IFS=$' \t\n'
    for w in $(compgen -W "$words" -- "$last"); do
        COMPREPLY+=("$prefix$w")
    done
}

# Adds the ids of catalog $1 (see _vramest_load) that complete $cur; $2 as for _vramest_add.
_vramest_add_ids()
{
    _vramest_load "$bin" "$1"
    local var=_vramest_cache_$1
    _vramest_add "${!var-}" "${2-}"
}

# Adds files (and directories) matching $cur; with $1 = dirs, directories only; with $1 = a
# pattern like '*.@(gguf|safetensors)', directories and the files matching it.
_vramest_add_files()
{
    local IFS=$'\n' w
    compopt -o filenames 2>/dev/null
    case ${1-} in
        dirs) for w in $(compgen -d -- "$cur"); do COMPREPLY+=("$w"); done ;;
        '') for w in $(compgen -f -- "$cur"); do COMPREPLY+=("$w"); done ;;
        *)
            for w in $(compgen -d -- "$cur"); do COMPREPLY+=("$w"); done
            local restore
            restore=$(shopt -p extglob)
            shopt -s extglob
            for w in $(compgen -f -X "!$1" -- "$cur"); do
                [[ -d $w ]] || COMPREPLY+=("$w")
            done
            eval "$restore"
            ;;
    esac
}

_vramest()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    COMPREPLY=()

    # --opt=value: bash splits it into "--opt" "=" "value" (= is in COMP_WORDBREAKS).
    if [[ $cur == = ]]; then
        cur=
    elif [[ $prev == = ]] && ((COMP_CWORD >= 2)); then
        prev=${COMP_WORDS[COMP_CWORD - 2]}
    fi

    # The binary being completed: the command word when it runs, else vramest from PATH.
    local bin=${COMP_WORDS[0]}
    # shellcheck disable=SC2088  # a literal ~/ left unexpanded in the command word
    [[ $bin == '~/'* ]] && bin=$HOME/${bin#'~/'}
    type -P -- "$bin" >/dev/null 2>&1 || bin=vramest

    local commands='gpus models formats fit sweep inspect'
    # Every option that takes a value, with the aliases --help prints and the single-dash
    # spellings the program rewrites (-ngl, -np, -ctk, -tp, ...).  --grad-checkpointing and --fsdp
    # take an optional value: like the parser, a following word is read as their value.
    local with_value='-p|--precision|--mode|--method|-c|--context|--ctx-size|--max-model-len|--max-seq-length|--seq-len|-b|--batch|--batch-size|--per-device-train-batch-size|--np|-np|--parallel|--kv-dtype|--kv-cache-dtype|--ctk|-ctk|--cache-type-k|--ctv|-ctv|--cache-type-v|--engine|--ub|-ub|--ubatch|--ubatch-size|--fa|-fa|--flash-attn|--ngl|-ngl|--n-gpu-layers|--gpu-layers|--n-cpu-moe|-ncmoe|--gpu-util|--gpu-memory-utilization|--max-batched-tokens|--max-num-batched-tokens|--max-seqs|--max-num-seqs|--dtype|-q|--quantization|--tp|-tp|--tensor-parallel-size|--pp|-pp|--pipeline-parallel-size|--overhead|--gpu|-dev|--gpus|--num-gpus|--gpu-memory|--reserve|--training-precision|--optimizer|--optim|--grad-checkpointing|--gradient-checkpointing|--lora-rank|--lora-r|--lora-alpha|--lora-targets|--lora-target-modules|--zero|--zero-stage|--fsdp|--offload|--grad-accum|--gradient-accumulation-steps|--units|--data-dir|--segment|--vendor|--family|--prompt|--models|--formats|--contexts|--batches|--output|--output-format|-o|--out|--top'

    # Find the subcommand and count positionals before the word being completed.  --gpu takes
    # several ids (--gpu a b), so words after it are GPU ids until the next option.  The first
    # word may also be `estimate` (the estimate, named) or `help` (help on a command).
    local i w cmd='' npos=0 skip=0 in_gpu=0 named=0
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        if [[ $w == = ]]; then
            continue
        elif ((skip)); then
            skip=0
            continue
        elif [[ $w == -* ]]; then
            in_gpu=0
            if [[ $w =~ ^($with_value)$ ]]; then
                skip=1
                [[ $w == --gpu || $w == -dev ]] && in_gpu=1
            fi
        elif ((in_gpu)); then
            continue
        elif [[ -z $cmd && $npos -eq 0 && $named -eq 0 && " $commands " == *" $w "* ]]; then
            cmd=$w
        elif ((i == 1)) && [[ $w == help ]]; then
            cmd=help
        elif ((i == 1)) && [[ $w == estimate ]]; then
            named=1
        else
            npos=$((npos + 1))
        fi
    done

    local engines='transformers vllm llamacpp'
    local kv='fp16 bf16 fp32 fp8 q8_0 q5_1 q5_0 q4_1 q4_0'
    local contexts='2k 4k 8k 16k 32k 64k 128k'

    # The value of an option.
    case $prev in
        -p | --precision)
            _vramest_add_ids formats
            [[ -z $cmd ]] && _vramest_add all    # rule method: one estimate per rule precision
            return 0 ;;
        --formats) _vramest_add_ids formats list; return 0 ;;
        --mode) _vramest_add 'inference train lora qlora'; return 0 ;;
        --method) _vramest_add 'rule detailed'; return 0 ;;
        --engine) _vramest_add "$engines"; return 0 ;;
        --units) _vramest_add 'gb gib'; return 0 ;;
        --kv-dtype | --kv-cache-dtype | --ctk | -ctk | --cache-type-k | --ctv | -ctv | --cache-type-v)
            _vramest_add "$kv"; return 0 ;;
        --fa | -fa | --flash-attn) _vramest_add 'on off auto'; return 0 ;;
        --ngl | -ngl | --n-gpu-layers | --gpu-layers) _vramest_add 'all'; return 0 ;;
        --dtype) _vramest_add 'bfloat16 float16 float32 bf16 fp16 fp32'; return 0 ;;
        -q | --quantization)
            _vramest_add 'awq gptq fp8 bitsandbytes gptq-int4 gptq-int8 awq-int4 w4a16 w8a8 nvfp4 mxfp4'
            return 0 ;;
        --optimizer | --optim)
            _vramest_add 'adamw adamw-8bit paged-adamw paged-adamw-8bit adafactor sgd sgd-momentum lion
                adamw_torch adamw_torch_fused adamw_bnb_8bit paged_adamw_8bit paged_adamw_32bit'
            return 0 ;;
        --grad-checkpointing | --gradient-checkpointing) _vramest_add 'none selective full'; return 0 ;;
        --training-precision) _vramest_add 'mixed bf16 fp32'; return 0 ;;
        --offload) _vramest_add 'optimizer params'; return 0 ;;
        --zero | --zero-stage) _vramest_add '0 1 2 3'; return 0 ;;
        --fsdp) _vramest_add 'full grad-op hybrid_shard full_shard shard_grad_op'; return 0 ;;
        --lora-targets | --lora-target-modules)
            _vramest_add 'q,v all-linear q,k,v,o q,k,v,o,gate,up,down'
            return 0 ;;
        --output | --output-format) _vramest_add 'csv jsonl'; return 0 ;;
        -o | --out) _vramest_add_files; return 0 ;;
        --segment) _vramest_add 'consumer workstation datacenter apple embedded'; return 0 ;;
        --vendor) _vramest_add 'nvidia amd apple intel'; return 0 ;;
        --family) _vramest_add 'llama qwen gemma mistral phi deepseek gpt-oss'; return 0 ;;
        --gpu | -dev)
            if [[ $cmd == sweep ]]; then
                _vramest_add_ids gpus list
            else
                _vramest_add_ids gpus
                _vramest_add 'local auto'
            fi
            return 0 ;;
        --gpus)
            # sweep: GPU counts, or GPU ids (read as --gpu).
            [[ $cmd == sweep ]] && _vramest_add_ids gpus list
            return 0 ;;
        --models)
            _vramest_add_ids models list
            return 0 ;;
        -c | --context | --ctx-size | --max-model-len | --max-seq-length | --seq-len)
            _vramest_add "$contexts"; return 0 ;;
        --contexts) _vramest_add "$contexts" list; return 0 ;;
        --data-dir) _vramest_add_files dirs; return 0 ;;
        -b | --batch | --batch-size | --per-device-train-batch-size | --np | -np | --parallel | --ub | -ub | --ubatch | \
            --ubatch-size | --n-cpu-moe | -ncmoe | --gpu-util | --gpu-memory-utilization | \
            --max-batched-tokens | --max-num-batched-tokens | --max-seqs | --max-num-seqs | --overhead | \
            --num-gpus | --lora-rank | --lora-r | --lora-alpha | --tp | -tp | --tensor-parallel-size | \
            --pp | -pp | --pipeline-parallel-size | --grad-accum | --gradient-accumulation-steps | \
            --gpu-memory | --reserve | --prompt | --batches | --top)
            return 0 ;;
    esac

    # The options each command's --help prints, aliases included.
    local common='-h --help --json --units --data-dir --no-color'
    local inference='-c --context --ctx-size --max-model-len --max-seq-length --seq-len
        -b --batch --batch-size --per-device-train-batch-size --np --parallel --kv-dtype --kv-cache-dtype
        --ctk --cache-type-k --ctv --cache-type-v --engine --ub --ubatch --ubatch-size
        --fa --flash-attn --no-flash-attn --ngl --n-gpu-layers --gpu-layers --n-cpu-moe
        --kv-unified --gpu-util --gpu-memory-utilization --max-batched-tokens
        --max-num-batched-tokens --max-seqs --max-num-seqs --enforce-eager --dtype
        -q --quantization --tp --tensor-parallel-size --pp --pipeline-parallel-size'
    local gpu='--gpu --gpus --num-gpus --gpu-memory --reserve'
    if [[ $cur == -* ]]; then
        case $cmd in
            '') _vramest_add "$common --version -p --precision --mode --method $inference --overhead
                $gpu --training-precision --optimizer --optim --grad-checkpointing
                --gradient-checkpointing --lora-rank --lora-r --lora-alpha --lora-targets
                --lora-target-modules --zero --zero-stage --fsdp --offload --no-kbit-upcast
                --grad-accum --gradient-accumulation-steps" ;;
            gpus) _vramest_add "$common --segment --vendor" ;;
            models) _vramest_add "$common --family" ;;
            formats) _vramest_add "$common" ;;
            fit) _vramest_add "$common -p --precision $inference $gpu --prompt --no-chart" ;;
            sweep) _vramest_add "$common --models --formats --contexts --batches --gpu --gpus --reserve
                --engine --kv-dtype --output --output-format -o --out" ;;
            inspect) _vramest_add "$common --top" ;;
        esac
        return 0
    fi

    # More GPU ids after --gpu ID.
    if ((in_gpu)); then
        _vramest_add_ids gpus
        return 0
    fi

    # Positionals.
    case $cmd in
        help)
            ((npos == 0)) && _vramest_add "$commands"
            ;;
        '' | fit)
            ((npos == 0)) || return 0
            if [[ -z $cmd && $named -eq 0 ]]; then
                _vramest_add "$commands"
                ((COMP_CWORD == 1)) && _vramest_add 'estimate help version'
            fi
            _vramest_add_ids models
            # Hugging Face names and paths once the word looks like one.
            if [[ $cur == */* || $cur == .* || $cur == '~'* ]]; then
                _vramest_add_ids hf
                _vramest_add_files
            fi
            ;;
        inspect)
            ((npos == 0)) && _vramest_add_files '*.@(gguf|safetensors)'
            ;;
    esac
    return 0
}

complete -F _vramest vramest
