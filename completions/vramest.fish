# fish completion for vramest.
#
# Installed as $datadir/fish/vendor_completions.d/vramest.fish; or copy it to
# ~/.config/fish/completions/vramest.fish.
#
# GPU, model and format ids come from `vramest gpus|models|formats --json` (parsed with
# grep/sed, no jq), run the first time they are needed and cached for the rest of the shell
# session (set -e __vramest_cache_gpus, __vramest_cache_models, __vramest_cache_formats or
# __vramest_cache_hf to refresh them).

# The options that take a value, in every command that has them, with the aliases --help prints
# and the single-dash spellings the program rewrites (-ngl, -np, -ctk, -tp, ...).
# --grad-checkpointing and --fsdp take an optional value: like the parser, a following word is
# read as their value.
set -g __vramest_value_options -p --precision --mode --method -c --context --ctx-size \
    --max-model-len --max-seq-length --seq-len -b --batch --batch-size --per-device-train-batch-size --np -np \
    --parallel --kv-dtype --kv-cache-dtype --ctk -ctk --cache-type-k --ctv -ctv --cache-type-v \
    --engine --ub -ub --ubatch --ubatch-size --fa -fa --flash-attn --ngl -ngl --n-gpu-layers \
    --gpu-layers --n-cpu-moe -ncmoe --gpu-util --gpu-memory-utilization --max-batched-tokens \
    --max-num-batched-tokens --max-seqs --max-num-seqs --dtype -q --quantization --tp -tp \
    --tensor-parallel-size --pp -pp --pipeline-parallel-size --overhead --gpu -dev --gpus \
    --num-gpus --gpu-memory --reserve --training-precision --optimizer --optim \
    --grad-checkpointing --gradient-checkpointing --lora-rank --lora-r --lora-alpha \
    --lora-targets --lora-target-modules --zero --zero-stage --fsdp --offload --grad-accum \
    --gradient-accumulation-steps --units --data-dir --segment --vendor --family --prompt \
    --models --formats --contexts --batches --output --output-format -o --out --top

# Prints five lines about the command line before the cursor: the subcommand (empty for the
# estimate, help for `vramest help`), how many positional arguments follow it (the estimate's
# MODEL, fit's MODEL, inspect's PATH), 1 when the cursor follows `--gpu ID...` (--gpu takes
# several ids), 1 when the first word is `estimate` (the estimate, named), and 1 when the word
# being completed is the value of an option (`-ctk <TAB>`).
function __vramest_args
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l sub
    set -l npos 0
    set -l skip 0
    set -l in_gpu 0
    set -l named 0
    set -l i 0
    for t in $tokens
        set i (math $i + 1)
        if test $skip = 1
            set skip 0
            continue
        end
        switch $t
            case '-*'
                set in_gpu 0
                if contains -- $t $__vramest_value_options
                    set skip 1
                    contains -- $t --gpu -dev; and set in_gpu 1
                end
            case '*'
                if test $in_gpu = 1
                    continue
                else if test $i = 1 -a "$t" = estimate
                    set named 1
                else if test $i = 1 -a "$t" = help
                    set sub help
                else if test -z "$sub" -a $npos = 0 -a $named = 0; and contains -- $t gpus models formats fit sweep inspect
                    set sub $t
                else
                    set npos (math $npos + 1)
                end
        end
    end
    printf '%s\n' "$sub" $npos $in_gpu $named $skip
end

# True when the subcommand is one of the arguments ('' for the estimate).
function __vramest_using
    set -l state (__vramest_args)
    contains -- "$state[1]" $argv
end

# True when the subcommand is $argv[1] and no positional argument has been given yet.
function __vramest_needs_positional
    set -l state (__vramest_args)
    test "$state[1]" = "$argv[1]" -a "$state[2]" = 0 -a "$state[3]" = 0 -a "$state[5]" = 0
end

# True where a subcommand may be named: no positional argument yet, and no `estimate` first.
function __vramest_needs_command
    set -l state (__vramest_args)
    test -z "$state[1]" -a "$state[2]" = 0 -a "$state[3]" = 0 -a "$state[4]" = 0 -a "$state[5]" = 0
end

# True when the word before the cursor is one of the arguments: the single-dash spellings the
# program rewrites (-ctk, -ngl, ...), which are not options of their own here.
function __vramest_after
    set -l tokens (commandline -opc)
    test (count $tokens) -gt 1; and contains -- $tokens[-1] $argv
end

# True after `--gpu ID` (more GPU ids may follow).
function __vramest_after_gpu
    set -l state (__vramest_args)
    test "$state[3]" = 1
end

# Prints the ids of one catalog: gpus, models, formats, or hf (the models' Hugging Face names).
function __vramest_ids -a kind
    set -l var __vramest_cache_$kind
    if not set -q $var
        set -l bin (commandline -opc)[1]
        set bin (string replace -r '^~/' "$HOME/" -- $bin)
        command -sq -- $bin; or set bin vramest
        set -l out
        if test "$kind" = hf
            set out (command $bin models --json 2>/dev/null | grep -o '"hf_id": *"[^"]*"' | sed 's/^"hf_id": *"//; s/"$//')
        else
            set out (command $bin $kind --json 2>/dev/null | grep -o '"id": *"[^"]*"' | sed 's/^"id": *"//; s/"$//')
        end
        # Cache only what a working binary printed, so that a later try can still succeed.
        test (count $out) -gt 0; and set -g $var $out
        printf '%s\n' $out
        return
    end
    printf '%s\n' $$var
end

# Prints catalog ids for the last item of a comma-separated list (`--models a,b<TAB>`).
function __vramest_list -a kind
    set -l token (string replace -r -- '^--[^=]*=' '' (commandline -ct))
    set -l prefix (string match -r -- '^.*,' $token)
    for id in (__vramest_ids $kind)
        printf '%s%s\n' "$prefix" $id
    end
end

# The estimate's MODEL (and fit's): catalog models; Hugging Face names and paths once the word
# has a slash or starts with . or ~.
function __vramest_model_arg
    __vramest_ids models
    set -l token (commandline -ct)
    if string match -qr -- '/|^[.~]' $token
        __vramest_ids hf
        __fish_complete_path $token
    end
end

complete -c vramest -f

# Subcommands (in place of the estimate's MODEL), and the words for the estimate, help, version.
set -l first '__vramest_needs_command'
complete -c vramest -n $first -a gpus -d 'List the GPU catalog'
complete -c vramest -n $first -a models -d 'List the model catalog'
complete -c vramest -n $first -a formats -d 'List weight formats with their real bits per weight'
complete -c vramest -n $first -a fit -d 'What fits on these GPUs'
complete -c vramest -n $first -a sweep -d 'A grid of estimates as CSV or JSON lines'
complete -c vramest -n $first -a inspect -d 'Show a .gguf or .safetensors file'
complete -c vramest -n '__fish_is_first_arg' -a estimate -d 'Estimate MODEL (as vramest MODEL)'
complete -c vramest -n '__fish_is_first_arg' -a help -d 'Print help (of a command)'
complete -c vramest -n '__fish_is_first_arg' -a version -d 'Print the version'
complete -c vramest -n '__vramest_needs_positional help' -a 'gpus models formats fit sweep inspect' -d Command
complete -c vramest -n '__vramest_needs_positional ""' -a '(__vramest_model_arg)' -d Model
complete -c vramest -n '__vramest_needs_positional fit' -a '(__vramest_model_arg)' -d Model
complete -c vramest -n '__vramest_needs_positional inspect' -a '(__fish_complete_suffix .gguf; __fish_complete_suffix .safetensors)'
complete -c vramest -n '__vramest_using "" fit; and __vramest_after_gpu' -a '(__vramest_ids gpus)' -d GPU

# Common options.
complete -c vramest -s h -l help -d 'Print help and exit'
complete -c vramest -l json -d 'Write exactly one JSON document to stdout'
complete -c vramest -l units -x -a 'gb\t"10^9 bytes (default)" gib\t"2^30 bytes"' -d 'Text output units'
complete -c vramest -l data-dir -x -a '(__fish_complete_directories)' -d 'Directory with your own gpus.json and models.json'
complete -c vramest -l no-color -d 'No colour'

# The estimate and fit: inference (with other tools' spellings) and the GPUs.
set -l ef '__vramest_using "" fit'
set -l kv 'fp16 bf16 fp32 fp8 q8_0 q5_1 q5_0 q4_1 q4_0'
complete -c vramest -n $ef -s c -l context -l ctx-size -l max-model-len -l max-seq-length -l seq-len -x -a '2k 4k 8k 16k 32k 64k 128k' -d 'Tokens per sequence (llama.cpp -np: the whole cache)'
complete -c vramest -n $ef -s b -l batch -l batch-size -l per-device-train-batch-size -x -d 'Concurrent sequences; training micro-batch; llama.cpp logical batch'
complete -c vramest -n $ef -l np -l parallel -x -d 'llama.cpp -np: server slots'
complete -c vramest -n $ef -l kv-dtype -l kv-cache-dtype -x -a $kv -d 'KV cache type'
complete -c vramest -n $ef -l ctk -l cache-type-k -x -a $kv -d 'llama.cpp -ctk: K cache type'
complete -c vramest -n $ef -l ctv -l cache-type-v -x -a $kv -d 'llama.cpp -ctv: V cache type'
complete -c vramest -n $ef -l engine -x -a 'transformers vllm llamacpp' -d 'Inference engine'
complete -c vramest -n $ef -l ub -l ubatch -l ubatch-size -x -d 'llama.cpp -ub micro-batch'
complete -c vramest -n $ef -l fa -l flash-attn -x -a 'on off auto' -d 'llama.cpp -fa'
complete -c vramest -n $ef -l no-flash-attn -d 'llama.cpp without flash attention'
complete -c vramest -n $ef -l ngl -l n-gpu-layers -l gpu-layers -x -a all -d 'llama.cpp -ngl: layers on the GPU'
complete -c vramest -n $ef -l n-cpu-moe -x -d 'llama.cpp: experts of the first N layers in RAM'
complete -c vramest -n $ef -l kv-unified -d 'llama.cpp: one cache for every sequence'
complete -c vramest -n $ef -l gpu-util -l gpu-memory-utilization -x -d 'vLLM gpu_memory_utilization'
complete -c vramest -n $ef -l max-batched-tokens -l max-num-batched-tokens -x -d 'vLLM max_num_batched_tokens'
complete -c vramest -n $ef -l max-seqs -l max-num-seqs -x -d 'vLLM max_num_seqs'
complete -c vramest -n $ef -l enforce-eager -d 'vLLM --enforce-eager (accepted)'
complete -c vramest -n $ef -l dtype -x -a 'bfloat16 float16 float32 bf16 fp16 fp32' -d 'vLLM/HF --dtype: the weights'
complete -c vramest -n $ef -s q -l quantization -x -a 'awq gptq fp8 bitsandbytes gptq-int4 gptq-int8 awq-int4 w4a16 w8a8 nvfp4 mxfp4' -d 'vLLM --quantization: the weight format'
complete -c vramest -n $ef -l tp -l tensor-parallel-size -x -d 'Tensor-parallel degree'
complete -c vramest -n $ef -l pp -l pipeline-parallel-size -x -d 'Pipeline-parallel degree'
complete -c vramest -n $ef -l gpu -x -a '(__vramest_ids gpus) local auto' -d 'GPU: id, driver name, size or local (repeatable)'
complete -c vramest -n $ef -l gpus -l num-gpus -x -d 'How many of that GPU'
complete -c vramest -n $ef -l gpu-memory -x -d 'A card not in the catalog, by its memory (24GiB)'
complete -c vramest -n $ef -l reserve -x -d 'Memory per GPU taken by other processes (1GiB)'

# Values after llama.cpp's and vLLM's single-dash spellings (rewritten by the program).
complete -c vramest -n '__vramest_after -ctk -ctv' -x -a $kv
complete -c vramest -n '__vramest_after -fa' -x -a 'on off auto'
complete -c vramest -n '__vramest_after -ngl' -x -a all
complete -c vramest -n '__vramest_after -dev' -x -a '(__vramest_ids gpus) local auto'
complete -c vramest -n '__vramest_after -np -ub -ncmoe -tp -pp' -x

# The estimate.
set -l e '__vramest_using ""'
complete -c vramest -n $e -l version -d 'Print the version and exit'
complete -c vramest -n $e -s p -l precision -x -a '(__vramest_ids formats) all' -d 'Weight format'
complete -c vramest -n $e -l mode -x -a 'inference train lora qlora' -d 'What to estimate'
complete -c vramest -n $e -l method -x -a 'detailed rule' -d 'Estimation method'
complete -c vramest -n $e -l overhead -x -d 'Rule method runtime multiplier range (1.2-1.3)'
complete -c vramest -n $e -l training-precision -x -a 'mixed bf16 fp32' -d 'Training precision'
complete -c vramest -n $e -l optimizer -l optim -x -a 'adamw adamw-8bit paged-adamw paged-adamw-8bit adafactor sgd sgd-momentum lion adamw_torch adamw_torch_fused adamw_bnb_8bit paged_adamw_8bit paged_adamw_32bit' -d Optimizer
complete -c vramest -n $e -l grad-checkpointing -l gradient-checkpointing -x -a 'none selective full' -d 'Gradient checkpointing (bare: full)'
complete -c vramest -n $e -l lora-rank -l lora-r -x -d 'LoRA rank'
complete -c vramest -n $e -l lora-alpha -x -d 'LoRA alpha (does not change memory)'
complete -c vramest -n $e -l lora-targets -l lora-target-modules -x -a 'q,v all-linear q,k,v,o q,k,v,o,gate,up,down' -d 'LoRA target modules'
complete -c vramest -n $e -l zero -l zero-stage -x -a '0 1 2 3' -d 'DeepSpeed ZeRO stage'
complete -c vramest -n $e -l fsdp -x -a 'full grad-op hybrid_shard full_shard shard_grad_op' -d 'FSDP sharding (bare: full)'
complete -c vramest -n $e -l offload -x -a 'optimizer params' -d 'Offload to CPU RAM'
complete -c vramest -n $e -l no-kbit-upcast -d 'QLoRA: keep non-quantized parameters in bf16'
complete -c vramest -n $e -l grad-accum -l gradient-accumulation-steps -x -d 'Gradient accumulation steps'

# gpus, models.
complete -c vramest -n '__vramest_using gpus' -l segment -x -a 'consumer workstation datacenter apple embedded' -d 'Only this segment'
complete -c vramest -n '__vramest_using gpus' -l vendor -x -a 'nvidia amd apple intel' -d 'Only this vendor'
complete -c vramest -n '__vramest_using models' -l family -x -a 'llama qwen gemma mistral phi deepseek gpt-oss' -d 'Only this family'

# fit.
set -l f '__vramest_using fit'
complete -c vramest -n $f -s p -l precision -x -a '(__vramest_ids formats)' -d 'Weight format'
complete -c vramest -n $f -l prompt -x -d 'Prompt tokens for the time to first token'
complete -c vramest -n $f -l no-chart -d 'Leave out the memory-against-context chart'

# sweep.
set -l s '__vramest_using sweep'
complete -c vramest -n $s -l models -x -a '(__vramest_list models)' -d 'Comma-separated models'
complete -c vramest -n $s -l formats -x -a '(__vramest_list formats)' -d 'Comma-separated weight formats'
complete -c vramest -n $s -l contexts -x -d 'Comma-separated contexts (4k,32k)'
complete -c vramest -n $s -l batches -x -d 'Comma-separated batch sizes'
complete -c vramest -n $s -l gpu -x -a '(__vramest_list gpus)' -d 'GPU ids (repeatable, comma-separated)'
complete -c vramest -n $s -l gpus -x -a '(__vramest_list gpus)' -d 'Comma-separated GPU counts (ids are read as --gpu)'
complete -c vramest -n $s -l reserve -x -d 'Memory per GPU taken by other processes (1GiB)'
complete -c vramest -n $s -l engine -x -a 'transformers vllm llamacpp' -d 'Inference engine'
complete -c vramest -n $s -l kv-dtype -x -a $kv -d 'KV cache type'
complete -c vramest -n $s -l output -l output-format -x -a 'csv jsonl' -d 'Output format'
complete -c vramest -n $s -s o -l out -r -F -d 'Write to FILE (through a temporary file)'
complete -c vramest -n '__vramest_using inspect' -l top -x -d 'How many of the largest tensors to list'
