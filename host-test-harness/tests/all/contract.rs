//! The contract's versions: every frozen release under `wit/released/`
//! parses and is what its folder says, the current contract (`wit/`) equals
//! its own frozen copy item by item, and a newer contract keeps every item
//! of the release before it unless its version says it may break them.
//!
//! Items are compared by what a host or a guest binds to: names, types,
//! fields, cases, function signatures, world imports and exports, and their
//! `@since` gates; doc comments may change freely.

use semver::Version;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use wit_parser::{
    Function, Interface, PackageId, Resolve, Stability, Type, TypeDefKind, TypeOwner, WorldItem,
    WorldKey,
};

fn wit_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../wit")
}

/// A parsed contract: its version and each of its items, by a stable name
/// (`interface types`, `type types.error`, `func actions.invoke`, `world connector`),
/// described as text.
struct Contract {
    version: Version,
    items: BTreeMap<String, String>,
}

fn parse(dir: &Path) -> Contract {
    let mut resolve = Resolve::new();
    let (package, _) = resolve
        .push_dir(dir)
        .unwrap_or_else(|e| panic!("{} does not parse: {e:#}", dir.display()));
    let name = &resolve.packages[package].name;
    assert_eq!(
        (name.namespace.as_str(), name.name.as_str()),
        ("integration", "connector"),
        "{}",
        dir.display()
    );
    let version = name.version.clone().expect("the contract is versioned");
    Contract {
        version,
        items: items(&resolve, package),
    }
}

fn stability(s: &Stability) -> String {
    match s {
        Stability::Stable { since, .. } => format!("@since({since})"),
        Stability::Unstable { feature, .. } => format!("@unstable({feature})"),
        Stability::Unknown => "@ungated".into(),
    }
}

/// A type as a binding sees it: named types by their interface and name,
/// anonymous ones by their structure.
fn ty(resolve: &Resolve, t: &Type) -> String {
    match t {
        Type::Id(id) => {
            let def = &resolve.types[*id];
            match (&def.name, def.owner) {
                (Some(name), TypeOwner::Interface(owner)) => format!(
                    "{}.{name}",
                    resolve.interfaces[owner].name.as_deref().unwrap_or("?")
                ),
                (Some(name), _) => name.clone(),
                (None, _) => kind(resolve, &def.kind),
            }
        }
        other => format!("{other:?}").to_lowercase(),
    }
}

fn opt(resolve: &Resolve, t: &Option<Type>) -> String {
    t.as_ref().map_or("_".into(), |t| ty(resolve, t))
}

fn kind(resolve: &Resolve, k: &TypeDefKind) -> String {
    match k {
        TypeDefKind::Record(r) => {
            let fields: Vec<String> = r
                .fields
                .iter()
                .map(|f| format!("{}: {}", f.name, ty(resolve, &f.ty)))
                .collect();
            format!("record {{{}}}", fields.join(", "))
        }
        TypeDefKind::Variant(v) => {
            let cases: Vec<String> = v
                .cases
                .iter()
                .map(|c| format!("{}({})", c.name, opt(resolve, &c.ty)))
                .collect();
            format!("variant {{{}}}", cases.join(", "))
        }
        TypeDefKind::Enum(e) => {
            let cases: Vec<&str> = e.cases.iter().map(|c| c.name.as_str()).collect();
            format!("enum {{{}}}", cases.join(", "))
        }
        TypeDefKind::Flags(f) => {
            let flags: Vec<&str> = f.flags.iter().map(|f| f.name.as_str()).collect();
            format!("flags {{{}}}", flags.join(", "))
        }
        TypeDefKind::Tuple(t) => {
            let types: Vec<String> = t.types.iter().map(|t| ty(resolve, t)).collect();
            format!("tuple<{}>", types.join(", "))
        }
        TypeDefKind::Option(t) => format!("option<{}>", ty(resolve, t)),
        TypeDefKind::Result(r) => {
            format!("result<{}, {}>", opt(resolve, &r.ok), opt(resolve, &r.err))
        }
        TypeDefKind::List(t) => format!("list<{}>", ty(resolve, t)),
        TypeDefKind::Type(t) => format!("= {}", ty(resolve, t)),
        other => format!("{other:?}"),
    }
}

fn func(resolve: &Resolve, f: &Function) -> String {
    let params: Vec<String> = f
        .params
        .iter()
        .map(|p| format!("{}: {}", p.name, ty(resolve, &p.ty)))
        .collect();
    format!(
        "{} func({}) -> {}",
        stability(&f.stability),
        params.join(", "),
        opt(resolve, &f.result)
    )
}

fn interface_items(
    resolve: &Resolve,
    name: &str,
    i: &Interface,
    out: &mut BTreeMap<String, String>,
) {
    out.insert(format!("interface {name}"), stability(&i.stability));
    for (type_name, id) in &i.types {
        let def = &resolve.types[*id];
        out.insert(
            format!("type {name}.{type_name}"),
            format!("{} {}", stability(&def.stability), kind(resolve, &def.kind)),
        );
    }
    for (func_name, f) in &i.functions {
        out.insert(format!("func {name}.{func_name}"), func(resolve, f));
    }
}

fn world_key(resolve: &Resolve, key: &WorldKey) -> String {
    match key {
        WorldKey::Name(name) => name.clone(),
        WorldKey::Interface(id) => resolve.id_of(*id).unwrap_or_else(|| "?".into()),
    }
}

fn world_item(resolve: &Resolve, item: &WorldItem) -> String {
    match item {
        WorldItem::Interface { stability: s, .. } => format!("{} interface", stability(s)),
        WorldItem::Function(f) => func(resolve, f),
        WorldItem::Type { id, .. } => ty(resolve, &Type::Id(*id)),
    }
}

fn items(resolve: &Resolve, package: PackageId) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let package = &resolve.packages[package];
    for (name, id) in &package.interfaces {
        interface_items(resolve, name, &resolve.interfaces[*id], &mut out);
    }
    for (name, id) in &package.worlds {
        let world = &resolve.worlds[*id];
        out.insert(format!("world {name}"), stability(&world.stability));
        for (key, item) in &world.imports {
            out.insert(
                format!("world {name} import {}", world_key(resolve, key)),
                world_item(resolve, item),
            );
        }
        for (key, item) in &world.exports {
            out.insert(
                format!("world {name} export {}", world_key(resolve, key)),
                world_item(resolve, item),
            );
        }
    }
    out
}

/// Every frozen release, oldest first.
fn releases() -> Vec<(String, Contract)> {
    let mut releases: Vec<(String, Contract)> = std::fs::read_dir(wit_dir().join("released"))
        .expect("wit/released exists")
        .map(|entry| {
            let path = entry.unwrap().path();
            let folder = path.file_name().unwrap().to_string_lossy().into_owned();
            (folder, parse(&path))
        })
        .collect();
    releases.sort_by(|a, b| a.1.version.cmp(&b.1.version));
    releases
}

/// Whether a contract at `newer` must keep every item of `older` (semver:
/// same major version, and for 0.x the same minor).
fn compatible(older: &Version, newer: &Version) -> bool {
    older.major == newer.major && (older.major > 0 || older.minor == newer.minor)
}

/// The items of `old` that `new` lacks or changed, one line each.
fn changed(old: &Contract, new: &Contract) -> Vec<String> {
    let mut out = Vec::new();
    for (name, described) in &old.items {
        match new.items.get(name) {
            None => out.push(format!("{name}: removed")),
            Some(now) if now != described => out.push(format!("{name}: {described}  →  {now}")),
            Some(_) => {}
        }
    }
    out
}

#[test]
fn each_release_is_frozen_under_its_own_version() {
    let releases = releases();
    let folders: Vec<&str> = releases.iter().map(|(f, _)| f.as_str()).collect();
    assert!(
        folders.contains(&"0.1.0") && folders.contains(&"0.2.0"),
        "{folders:?}"
    );
    for (folder, contract) in &releases {
        assert_eq!(
            folder,
            &contract.version.to_string(),
            "the package version of wit/released/{folder}"
        );
        assert!(
            contract.items.len() > 20,
            "{folder} has {} items",
            contract.items.len()
        );
    }
}

#[test]
fn the_contract_changes_no_released_item_without_a_version_bump() {
    let current = parse(&wit_dir());
    let releases = releases();
    let (_, latest) = releases.last().expect("a release");
    assert!(
        current.version >= latest.version,
        "wit/ is at {} but {} is released",
        current.version,
        latest.version
    );
    if current.version == latest.version {
        // Unchanged: the frozen copy and wit/ describe the same items.
        let mut diff = changed(latest, &current);
        diff.extend(
            changed(&current, latest)
                .into_iter()
                .filter(|line| line.ends_with("removed"))
                .map(|line| line.replace("removed", "added without a version bump")),
        );
        assert!(
            diff.is_empty(),
            "wit/ differs from wit/released/{}: bump the package version (and freeze the new one) or undo:\n{}",
            latest.version,
            diff.join("\n")
        );
    } else if compatible(&latest.version, &current.version) {
        // A compatible bump: every released item stays as it was, and
        // every new item is gated on a version after the release.
        let diff = changed(latest, &current);
        assert!(
            diff.is_empty(),
            "{} → {} breaks released items:\n{}",
            latest.version,
            current.version,
            diff.join("\n")
        );
    }
    // Every item of the current contract is gated on a version it has.
    for (name, described) in &current.items {
        let since = described
            .strip_prefix("@since(")
            .and_then(|rest| rest.split(')').next())
            .and_then(|v| Version::parse(v).ok());
        match since {
            Some(since) => assert!(
                since <= current.version,
                "{name} is @since({since}), after {}",
                current.version
            ),
            None => panic!("{name} has no @since gate: {described}"),
        }
    }
}

#[test]
fn the_comparison_sees_a_changed_item() {
    // The checks above are only as good as the descriptions: a changed
    // field, a new case and a changed signature must each differ.
    let base = "package integration:connector@9.0.0;\n@since(version = 9.0.0)\ninterface i {\n @since(version = 9.0.0)\n record r { a: string }\n @since(version = 9.0.0)\n variant v { x, y(u32) }\n @since(version = 9.0.0)\n f: func(a: string) -> r;\n}\n";
    let counter = std::sync::atomic::AtomicUsize::new(0);
    let parse_text = |text: &str| {
        let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("contract-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("i.wit"), text).unwrap();
        let contract = parse(&dir);
        std::fs::remove_dir_all(&dir).unwrap();
        contract
    };
    let old = parse_text(base);
    for edited in [
        base.replace("a: string }", "a: u32 }"),
        base.replace("y(u32) }", "y(u32), z }"),
        base.replace("f: func(a: string)", "f: func(a: string, b: u8)"),
        base.replace(
            "@since(version = 9.0.0)\n f:",
            "@since(version = 8.0.0)\n f:",
        ),
    ] {
        let new = parse_text(&edited);
        let mut diff = changed(&old, &new);
        diff.extend(changed(&new, &old));
        assert!(!diff.is_empty(), "no difference seen for:\n{edited}");
    }
    assert!(
        changed(
            &old,
            &parse_text(&base.replace("record r", "/// docs\n record r"))
        )
        .is_empty()
    );
}

#[test]
fn the_sdk_says_the_version_of_the_contract_it_builds_for() {
    assert_eq!(
        connector_sdk::definitions::CONTRACT_VERSION,
        parse(&wit_dir()).version.to_string(),
        "sdk/src/definitions.rs CONTRACT_VERSION and the package version of wit/"
    );
}
