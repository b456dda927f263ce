"""What a module-level statement binds, changes and reads: Python's scoping rules, read from the AST.

`bound` gives the module-level names a statement binds (assignments,
imports, defs and classes, loop and `with` targets, `:=`, `except ... as`),
looking into `if`/`for`/`with`/`try` blocks but not into function bodies.
`changed` gives the names whose object a statement may change without
rebinding them: `x.attr = ...`, `x[k] = ...`, `x.method(...)` as a
statement, `setattr(x, ...)`, and a name handed to a decorator
(`@add_to_class(Value)`). `free` gives the names a
statement reads from the module's scope: what a function body reads but
neither its parameters nor its own assignments bind.
"""
import ast

FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
SCOPES = FUNCTIONS + (ast.ClassDef, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _target_names(target):
    return [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]


def _own_nodes(node):
    """Every node inside `node` that belongs to its scope: nested functions, classes and lambdas excluded
    (their names, decorators and defaults included, since the enclosing scope evaluates them)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        for child in ast.iter_child_nodes(current):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield child
                stack.extend(child.decorator_list + child.args.defaults
                             + [d for d in child.args.kw_defaults if d is not None])
            elif isinstance(child, ast.ClassDef):
                yield child
                stack.extend(child.decorator_list + child.bases + [k.value for k in child.keywords])
            elif isinstance(child, ast.Lambda):
                yield child
                stack.extend(child.args.defaults + [d for d in child.args.kw_defaults if d is not None])
            else:
                stack.append(child)


def bound(statement):
    """The names a module-level statement binds in the module's scope."""
    comprehension_targets = {id(n) for node in _own_nodes(statement)
                             if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp))
                             for generator in node.generators for n in ast.walk(generator.target)}
    names = set()
    for node in _own_nodes(statement):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            if id(node) not in comprehension_targets:
                names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name != "*":
                    names.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            names.add(node.name)
    return names


def root_name(node):
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call, ast.Starred)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def object_root(node):
    """The name whose object an attribute or item chain (x.a[0].b) reaches, through no call; or None."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def changed(statement):
    """Names whose object the statement may change without rebinding the name."""
    names = set()
    for node in _own_nodes(statement):
        targets = []
        if isinstance(node, (ast.Assign, ast.Delete)):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            for part in ast.walk(target):
                if isinstance(part, (ast.Attribute, ast.Subscript)) and isinstance(part.ctx, (ast.Store, ast.Del)):
                    root = root_name(part)
                    if root:
                        names.add(root)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            call = node.value
            if isinstance(call.func, ast.Attribute):
                root = object_root(call.func.value)
                if root:
                    names.add(root)
            if isinstance(call.func, ast.Name) and call.func.id == "setattr" and call.args \
                    and isinstance(call.args[0], ast.Name):
                names.add(call.args[0].id)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for decorator in node.decorator_list:
                for part in ast.walk(decorator):
                    if isinstance(part, ast.Call):
                        names.update(a.id for a in part.args if isinstance(a, ast.Name))
    return names


def _parameters(args):
    every = args.posonlyargs + args.args + args.kwonlyargs + [a for a in (args.vararg, args.kwarg) if a]
    return {a.arg for a in every}


def _locals(function):
    """The names a function binds in its own scope: parameters, assignments, defs, imports (not globals)."""
    body = function.body if isinstance(function.body, list) else [function.body]
    names, declared = _parameters(function.args), set()
    for statement in body:
        for node in _own_nodes(statement):
            if isinstance(node, (ast.Global, ast.Nonlocal)):
                declared.update(node.names)
        names |= bound(statement)
    return names - declared


def free(node, enclosing=frozenset()):
    """The names `node` reads that no scope inside it, nor `enclosing` (a function's locals), binds."""
    names = set()

    def visit(current, local):
        if isinstance(current, FUNCTIONS):
            for part in ([*getattr(current, "decorator_list", []), *current.args.defaults,
                          *[d for d in current.args.kw_defaults if d is not None]]):
                visit(part, local)
            inner = local | _locals(current)
            for statement in (current.body if isinstance(current.body, list) else [current.body]):
                visit(statement, inner)
            return
        if isinstance(current, ast.ClassDef):
            for part in [*current.decorator_list, *current.bases, *[k.value for k in current.keywords]]:
                visit(part, local)
            class_names = set()
            for statement in current.body:
                if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    visit(statement, local)  # methods do not see the class body's names
                else:
                    visit(statement, local | class_names)
                class_names |= bound(statement)
            return
        if isinstance(current, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            inner = set(local)
            for generator in current.generators:
                visit(generator.iter, inner)
                inner |= set(_target_names(generator.target))
                for condition in generator.ifs:
                    visit(condition, inner)
            for part in ([current.key, current.value] if isinstance(current, ast.DictComp) else [current.elt]):
                visit(part, inner)
            return
        if isinstance(current, ast.Name) and isinstance(current.ctx, ast.Load) and current.id not in local:
            names.add(current.id)
        for child in ast.iter_child_nodes(current):
            visit(child, local)

    visit(node, frozenset(enclosing))
    return names
