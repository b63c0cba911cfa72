"""Import cycles that cross a package boundary (app to app, or between vms, apps and workers).

Run as `python tests/layers.py ROOT`: prints each cycle and exits 1 when there is one. Every import
counts, those inside functions too, so a cycle cannot hide behind a late import. A cycle inside one
app (its services and its tasks calling each other) is the Celery pattern and allowed.
"""

import sys

import grimp

ROOTS = ("vms", "apps", "workers")


def owner(module):
    """`apps.cameras.services` → `apps.cameras`; `vms.live` → `vms`."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "apps" and len(parts) > 1 else parts[0]


def strongly_connected(graph):
    """Tarjan's algorithm, iterative: the groups of modules that import each other, in a ring."""
    index, low, on_stack, stack, groups = {}, {}, set(), [], []
    counter = 0
    for start in sorted(graph.modules):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.find_modules_directly_imported_by(start))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups


def cross_package_cycles():
    graph = grimp.build_graph(*ROOTS, cache_dir=None)
    return [group for group in strongly_connected(graph) if len({owner(m) for m in group}) > 1]


if __name__ == "__main__":
    sys.path.insert(0, sys.argv[1] if len(sys.argv) > 1 else ".")
    cycles = cross_package_cycles()
    for cycle in cycles:
        print("import cycle across packages: " + " <-> ".join(cycle))
    sys.exit(1 if cycles else 0)
