#!/usr/bin/env python3
"""Writes sparse model files for bench/inspect.sh: a Llama-shaped GGUF of 1,002 tensors (111
layers) in a large and a small variant, and a 100-shard safetensors checkpoint with its index.
Data regions are holes (truncate), so a 55 GB file costs no disk."""
import json, os, struct, sys

def gguf(path, hidden, ffn, layers, vocab):
    kv = [("general.architecture", "llama"), ("llama.block_count", layers), ("llama.embedding_length", hidden),
          ("llama.feed_forward_length", ffn), ("llama.attention.head_count", hidden // 128),
          ("llama.attention.head_count_kv", max(1, hidden // 512)), ("llama.context_length", 8192),
          ("llama.vocab_size", vocab), ("general.file_type", 1)]
    tensors = [("token_embd.weight", [hidden, vocab], 1)]
    for i in range(layers):
        kvh = max(1, hidden // 512) * 128
        for name, ne, t in ((f"blk.{i}.attn_norm.weight", [hidden], 0), (f"blk.{i}.attn_q.weight", [hidden, hidden], 1),
                            (f"blk.{i}.attn_k.weight", [hidden, kvh], 1), (f"blk.{i}.attn_v.weight", [hidden, kvh], 1),
                            (f"blk.{i}.attn_output.weight", [hidden, hidden], 1), (f"blk.{i}.ffn_norm.weight", [hidden], 0),
                            (f"blk.{i}.ffn_gate.weight", [hidden, ffn], 1), (f"blk.{i}.ffn_up.weight", [hidden, ffn], 1),
                            (f"blk.{i}.ffn_down.weight", [ffn, hidden], 1)):
            tensors.append((name, ne, t))
    tensors += [("output_norm.weight", [hidden], 0), ("output.weight", [hidden, vocab], 1)]
    out = bytearray(b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(kv)))
    for key, value in kv:
        out += struct.pack("<Q", len(key)) + key.encode()
        if isinstance(value, str):
            out += struct.pack("<IQ", 8, len(value)) + value.encode()
        else:
            out += struct.pack("<II", 4, value)
    offset = 0
    for name, ne, t in tensors:
        out += struct.pack("<Q", len(name)) + name.encode() + struct.pack("<I", len(ne))
        out += b"".join(struct.pack("<Q", d) for d in ne) + struct.pack("<IQ", t, offset)
        n = 1
        for d in ne: n *= d
        offset += (n * (4 if t == 0 else 2) + 31) // 32 * 32
    out += b"\0" * ((-len(out)) % 32)
    with open(path, "wb") as f:
        f.write(out)
        f.truncate(len(out) + offset)

def shards(directory, count, hidden):
    os.makedirs(directory, exist_ok=True)
    weight_map, total = {}, 0
    for s in range(count):
        name = f"model-{s + 1:05d}-of-{count:05d}.safetensors"
        header, begin = {}, 0
        for j in range(3):
            tensor = f"model.layers.{s}.mlp.w{j}.weight"
            size = hidden * hidden * 2
            header[tensor] = {"dtype": "BF16", "shape": [hidden, hidden], "data_offsets": [begin, begin + size]}
            weight_map[tensor] = name
            begin += size
        text = json.dumps(header).encode()
        text += b" " * ((-len(text)) % 8)
        with open(os.path.join(directory, name), "wb") as f:
            f.write(struct.pack("<Q", len(text)) + text)
            f.truncate(8 + len(text) + begin)
        total += begin
    with open(os.path.join(directory, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f)

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
gguf(os.path.join(out, "large-1002-tensors.gguf"), 4096, 14336, 111, 128256)
gguf(os.path.join(out, "small-1002-tensors.gguf"), 128, 256, 111, 1000)
shards(os.path.join(out, "large-100-shards"), 100, 8192)
shards(os.path.join(out, "small-100-shards"), 100, 64)
