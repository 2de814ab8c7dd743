#!/usr/bin/env python3
"""Import circles among a crate's files: files that take names from each
other, directly or around a loop (a folder's module and the files in that
folder do not count as taking from each other: the folder holds them). A name is followed to the file that
defines it (through a module's re-exports), from `use` paths (`crate::`,
`super::`, `self::`, a child module's name) and from paths written inline
(`crate::history::access::ask(`, or `history::record(` after `use
crate::history`). Prints each circle of more than one file, biggest first,
with what each file takes from the other files of it; exits 0 either way
(a figure, not a verdict).

    python3 scripts/import-circles.py crates/gateway/src [more roots…]

A root is a crate's `src/`. Test modules (after a file's `#[cfg(test)]`)
and comments are left out. It reads text, not Rust: a name defined twice
in a crate is followed to the one in the module the path names.
"""

import re
import sys
from pathlib import Path

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
DEFINITION = re.compile(
    r"^\s*(?:pub(?:\([^)]*\))?\s+)?(?:async\s+|const\s+|unsafe\s+)*"
    r"(?:fn|struct|enum|trait|type|const|static|union|macro_rules!)\s+(" + IDENT + ")",
    re.M,
)
USE = re.compile(r"\buse\s+([^;]+);")
# A module's re-exports: its face, not something it takes (followed to the
# file that defines the name; no arrow of the module's own).
PUB_USE = re.compile(r"\bpub(?:\([^)]*\))?\s+use\s+([^;]+);")
INLINE = re.compile(r"(?<![A-Za-z0-9_:])(" + IDENT + r")((?:::" + IDENT + r")+)")


def module_of(root: Path, file: Path) -> tuple:
    parts = list(file.relative_to(root).with_suffix("").parts)
    if parts in (["lib"], ["main"]):
        return ()
    if parts[-1] == "mod":
        parts = parts[:-1]
    return tuple(parts)


def source(file: Path) -> str:
    text = file.read_text(encoding="utf-8", errors="replace")
    cut = text.find("#[cfg(test)]")
    text = text if cut < 0 else text[:cut]
    text = re.sub(r"//[^\n]*", "", text)
    # Strings hold no paths (format strings hold many `::`-free braces).
    return re.sub(r'"(?:\\.|[^"\\])*"', '""', text)


def expand(tree: str):
    """`a::{b, c::{d, e}}` as [a::b, a::c::d, a::c::e] (aliases dropped)."""
    tree = re.sub(r"\s+", "", tree)
    out = []

    def walk(prefix, rest):
        depth, start, items = 0, 0, []
        for i, ch in enumerate(rest):
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            elif ch == "," and depth == 0:
                items.append(rest[start:i])
                start = i + 1
        items.append(rest[start:])
        for item in filter(None, items):
            brace = item.find("{")
            if brace >= 0 and item.endswith("}"):
                head = item[:brace].rstrip(":")
                walk(prefix + [p for p in head.split("::") if p], item[brace + 1 : -1])
            else:
                item = item.split("as")[0] if "::" not in item.split("as")[-1] else item
                out.append(prefix + [p for p in item.split("::") if p])

    walk([], tree)
    return out


def circles(root: Path):
    files = {}
    for f in sorted(root.rglob("*.rs")):
        files.setdefault(module_of(root, f), f)
    texts = {m: source(f) for m, f in files.items()}
    defined = {m: set(DEFINITION.findall(t)) for m, t in texts.items()}
    reexports = {m: {} for m in files}
    for m, t in texts.items():
        for match in PUB_USE.finditer(t):
            for path in expand(match.group(1)):
                if path:
                    reexports[m][path[-1]] = path

    def absolute(module, path):
        """The crate path a path written in `module` names, or None."""
        if not path:
            return None
        head, rest = path[0], tuple(path[1:])
        if head == "crate":
            return rest
        if head == "self":
            return tuple(module) + rest
        if head == "super":
            base = list(module)[:-1]
            while rest and rest[0] == "super":
                rest, base = rest[1:], base[:-1]
            return tuple(base) + rest
        child = tuple(module) + (head,)
        if child in files:
            return child + rest
        return None

    def owner(full, seen=()):
        """The file defining what `full` names."""
        target = next((full[:n] for n in range(len(full), -1, -1) if full[:n] in files), None)
        if target is None:
            return None, None
        if len(full) == len(target):
            return target, "(module)"
        name = full[len(target)]
        if name in defined[target]:
            return target, name
        via = reexports[target].get(name)
        if via and (target, name) not in seen:
            again = absolute(target, via)
            if again:
                found, what = owner(again, seen + ((target, name),))
                if found is not None:
                    return found, what
        inner = [m for m in files if m[: len(target)] == target and m != target and name in defined[m]]
        if len(inner) == 1:
            return inner[0], name
        return target, name

    def inside(a, b):
        """Whether one of the two is a folder's module and the other in it:
        a folder holds its files, it does not import them."""
        return a[: len(b)] == b or b[: len(a)] == a

    edges = {m: {} for m in files}
    for module, text in texts.items():
        aliases = {}
        taken = PUB_USE.sub("", text)
        for tree in USE.findall(taken):
            for path in expand(tree):
                full = absolute(module, path)
                if full is None:
                    continue
                target, what = owner(full)
                if target is not None and not inside(target, module):
                    edges[module].setdefault(target, set()).add(what)
                if full in files:
                    aliases[path[-1]] = full
        for head, tail in INLINE.findall(taken):
            path = [head] + [p for p in tail.split("::") if p]
            full = absolute(module, path)
            if full is None and head in aliases:
                full = aliases[head] + tuple(path[1:])
            if full is None:
                continue
            target, what = owner(full)
            if target is not None and not inside(target, module):
                edges[module].setdefault(target, set()).add(what)
    # Tarjan's strongly connected components.
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(component)

    sys.setrecursionlimit(10000)
    for v in files:
        if v not in index:
            visit(v)
    return [
        (
            sorted(str(files[m]) for m in c),
            sorted(
                (str(files[a]), str(files[b]), sorted(names))
                for a in c
                for b, names in edges[a].items()
                if b in c
            ),
        )
        for c in sorted(out, key=len, reverse=True)
    ]


def main():
    total = 0
    for root in sys.argv[1:]:
        for members, ties in circles(Path(root)):
            total += 1
            print(f"  circle of {len(members)} files: {', '.join(members)}")
            for a, b, names in ties:
                print(f"    {a} -> {b}: {', '.join(names)}")
    print(f"import circles: {total}")


if __name__ == "__main__":
    main()
