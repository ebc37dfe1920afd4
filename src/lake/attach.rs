//! `mams lake attach`: a new project whose data tables read a slice of a lake in place (a
//! city, some months), so that a laptop works on a city-year of a province without importing
//! it. Each data table becomes a view over the slice's Parquet files only: the partitions
//! outside it are never listed, so never read. The org tree is copied (the slice's subtree,
//! its top unit made the root): it is small, and the map writes boundaries into it.
//!
//! Everything is checked before the project is made: the manifest, the months asked, the
//! unit, and every chosen file's columns against the data model (a partition written with
//! another schema is refused with its path). A failure leaves no project behind.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::{ABOVE_CITIES, CITY, MONTH, Manifest};
use crate::model::{TABLES, Table};
use crate::progress::Progress;
use crate::store::lake::{self as sql, RowsKept};
use crate::store::{LAKE_FOLDER_KEY, Project, loading};

/// The part of a lake a project reads.
#[derive(Debug, Clone, Default)]
pub struct Slice {
    /// The unit whose subtree is read (None: the whole tree).
    pub unit: Option<String>,
    /// The first and last months read (None: from the first, to the last of the lake).
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// What an attach made.
#[derive(Debug)]
pub struct Attached {
    pub root: String,
    pub units: usize,
    pub from: String,
    pub to: String,
    /// Each data table, its files and rows.
    pub tables: Vec<(String, usize, u64)>,
}

/// Where the slice an attached project reads is described (JSON), for the status line.
pub const SLICE_KEY: &str = "lake_slice";

/// Tables whose rows start before a slice and run into it (an application accepted in
/// December and energised in January, a plan valid from last year): every month up to the
/// slice's last is kept.
const RUN_INTO_THE_SLICE: [&str; 2] = ["applications", "orderly_plans"];
/// Tables whose rows settle the slice's after it ends (December's bills paid in January):
/// every month from the slice's first on is kept, or December's collection would read as
/// nothing collected. The other tables keep the slice's months only, as an extract of those
/// months would.
const SETTLE_THE_SLICE: [&str; 1] = ["payments"];

/// Makes the project `path` (which must not exist) read `slice` of the lake in `dir`.
pub fn attach(path: &Path, dir: &Path, slice: &Slice, progress: &Progress) -> anyhow::Result<Attached> {
    if path.exists() {
        crate::bail_say!(
            "{} already exists: a lake is attached as a new project",
            "{} 已存在：数据湖须挂接为新项目",
            path.display()
        );
    }
    let (dir, manifest) = open_lake(dir)?;
    let (from, to) = months(&dir, &manifest, slice)?;
    progress.set(Some(0.0), crate::say!("Reading the lake", "正在读取数据湖"));

    // The project is made first (its connection may read only the lake and its own folder),
    // and removed again if anything below fails.
    let created = Project::create(path)?;
    let result = (move || {
        created.set_meta(LAKE_FOLDER_KEY, &dir.to_string_lossy())?;
        drop(created);
        let p = Project::open(path)?;
        progress.attach_interrupt(p.interrupt_handle());
        fill(&p, &dir, slice, &from, &to, progress)
    })();
    if result.is_err() {
        crate::store::remove_project_files(path);
    }
    result
}

/// What a lake holds, for choosing the slice to attach (the app's dialog): read from its
/// manifest and its org tree, checked as an attach checks them first.
#[derive(Debug, Clone, PartialEq)]
pub struct Outline {
    /// The lake's folder.
    pub dir: PathBuf,
    /// The first and last months with data (first days).
    pub months: (NaiveDate, NaiveDate),
    /// The org tree, in the order of the units' ids (their customers are not counted: 0).
    pub units: Vec<crate::store::queries::OrgUnit>,
    pub customers: u64,
    pub bills: u64,
    pub exported_at: chrono::NaiveDateTime,
}

/// Reads what the lake in `dir` holds; a folder that is not a lake MAMS can attach is
/// refused with the path and the reason, as the attach itself would refuse it.
pub fn outline(dir: &Path) -> anyhow::Result<Outline> {
    let (dir, manifest) = open_lake(dir)?;
    let (first, last) = months(&dir, &manifest, &Slice::default())?;
    let month = |m: &str| NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d");
    let org_files = files_of(&dir.join("org_units"))?;
    let tree = sql::read_org_tree_alone(&the_org_file(dir.as_path(), &org_files)?.path)?;
    let mut units: Vec<_> = tree
        .into_iter()
        .map(|u| crate::store::queries::OrgUnit {
            unit_id: u.unit_id,
            parent_id: u.parent_id,
            level: u.level,
            name_zh: u.name_zh,
            name_en: u.name_en.unwrap_or_default(),
            customers: 0,
        })
        .collect();
    units.sort_by(|a, b| a.unit_id.cmp(&b.unit_id));
    let rows = |table: &str| {
        manifest
            .tables
            .iter()
            .find(|t| t.name == table)
            .map_or(0, |t| t.rows)
    };
    Ok(Outline {
        months: (month(&first)?, month(&last)?),
        units,
        customers: rows("customers"),
        bills: rows("bills"),
        exported_at: manifest.exported_at,
        dir,
    })
}

/// The lake in `dir`, its folder made absolute: its manifest read and checked for every
/// table of the data model.
fn open_lake(dir: &Path) -> anyhow::Result<(PathBuf, Manifest)> {
    let dir = std::fs::canonicalize(dir).map_err(|e| {
        crate::said!(
            "{}: cannot read the lake ({e})",
            "{}：无法读取数据湖（{e}）",
            dir.display()
        )
    })?;
    let manifest = super::read_manifest(&dir)?;
    check_tables(&dir, &manifest)?;
    Ok((dir, manifest))
}

/// The one file of the lake's org tree among `files` (those of its folder).
fn the_org_file<'f>(dir: &Path, files: &'f [LakeFile]) -> anyhow::Result<&'f LakeFile> {
    match files {
        [file] => Ok(file),
        _ => crate::bail_say!(
            "{}: the org tree should be one file, not {}",
            "{}：组织树应为一个文件，而不是 {} 个",
            dir.join("org_units").display(),
            files.len()
        ),
    }
}

/// Every table of the data model is in the lake, with every column.
fn check_tables(dir: &Path, manifest: &Manifest) -> anyhow::Result<()> {
    for t in TABLES {
        let Some(lt) = manifest.tables.iter().find(|lt| lt.name == t.name) else {
            if manifest.schema_version < crate::store::SCHEMA_VERSION {
                // A lake written by an older MAMS, before the table was in the model.
                crate::bail_say!(
                    "{}: the lake has no table {}: it was exported from a project of schema version {}, before the table existed; export it again with this version of MAMS (schema version {})",
                    "{}：数据湖缺少表 {}：它导出自架构版本 {} 的项目，当时还没有该表；请用本版 MAMS（架构版本 {}）重新导出",
                    dir.join(super::MANIFEST).display(),
                    t.name,
                    manifest.schema_version,
                    crate::store::SCHEMA_VERSION
                );
            }
            crate::bail_say!(
                "{}: the lake has no table {} (its manifest does not list it)",
                "{}：数据湖缺少表 {}（清单中没有）",
                dir.join(super::MANIFEST).display(),
                t.name
            );
        };
        let missing: Vec<&str> = t
            .columns
            .iter()
            .map(|c| c.name)
            .filter(|c| !lt.columns.iter().any(|have| have == c))
            .collect();
        if !missing.is_empty() {
            crate::bail_say!(
                "{}: the lake's table {} lacks the columns {}",
                "{}：数据湖的表 {} 缺少列 {}",
                dir.join(super::MANIFEST).display(),
                t.name,
                missing.join(", ")
            );
        }
    }
    Ok(())
}

/// The months read, as `YYYY-MM`, within the lake's.
fn months(dir: &Path, manifest: &Manifest, slice: &Slice) -> anyhow::Result<(String, String)> {
    let Some((first, last)) = manifest.months.clone() else {
        crate::bail_say!(
            "{}: the lake holds no months of data",
            "{}：数据湖中没有任何月份的数据",
            dir.display()
        );
    };
    let ym = |d: NaiveDate| d.format("%Y-%m").to_string();
    let from = slice.from.map(ym).unwrap_or_else(|| first.clone());
    let to = slice.to.map(ym).unwrap_or_else(|| last.clone());
    for m in [&from, &to] {
        if *m < first || *m > last {
            crate::bail_say!(
                "{}: the month {m} is outside the lake's data ({first} to {last})",
                "{}：月份 {m} 超出数据湖的数据范围（{first} 至 {last}）",
                dir.display()
            );
        }
    }
    if from > to {
        crate::bail_say!(
            "the slice starts ({from}) after it ends ({to})",
            "切片的起始月（{from}）晚于结束月（{to}）"
        );
    }
    Ok((from, to))
}

/// A Parquet file of a table, with its partition values.
struct LakeFile {
    path: PathBuf,
    month: Option<String>,
    city: Option<String>,
}

/// The Parquet files under a table's folder, with the `key=value` folders above them.
fn files_of(folder: &Path) -> anyhow::Result<Vec<LakeFile>> {
    let mut out = Vec::new();
    let mut stack = vec![folder.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d)? {
            let e = e?;
            let path = e.path();
            if e.file_type()?.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "parquet") {
                let rel = path.strip_prefix(folder).unwrap_or(&path);
                let mut file = LakeFile {
                    path: path.clone(),
                    month: None,
                    city: None,
                };
                for part in rel.iter() {
                    let part = part.to_string_lossy();
                    if let Some(v) = part.strip_prefix(&format!("{MONTH}=")) {
                        file.month = Some(v.to_string());
                    } else if let Some(v) = part.strip_prefix(&format!("{CITY}=")) {
                        file.city = Some(v.to_string());
                    }
                }
                out.push(file);
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// The units read and the lake's partitions that hold them.
struct Reach {
    root: String,
    units: Vec<String>,
    /// The city partitions read (None: all).
    cities: Option<BTreeSet<String>>,
    /// Whether those partitions hold rows of units outside the slice.
    filter_units: bool,
}

fn reach(dir: &Path, tree: &[sql::LakeUnit], unit: Option<&str>) -> anyhow::Result<Reach> {
    let parent: HashMap<&str, Option<&str>> = tree
        .iter()
        .map(|u| (u.unit_id.as_str(), u.parent_id.as_deref()))
        .collect();
    let level: HashMap<&str, &str> = tree
        .iter()
        .map(|u| (u.unit_id.as_str(), u.level.as_str()))
        .collect();
    let tops: Vec<&str> = tree
        .iter()
        .filter(|u| u.parent_id.as_deref().is_none_or(|p| !parent.contains_key(p)))
        .map(|u| u.unit_id.as_str())
        .collect();
    let root = match unit {
        Some(u) if parent.contains_key(u) => u,
        Some(u) => crate::bail_say!(
            "{}: the unit {u} is not in the lake's org tree ({} units)",
            "{}：单位 {u} 不在数据湖的组织树中（共 {} 个单位）",
            dir.join("org_units").display(),
            tree.len()
        ),
        None if tops.len() == 1 => tops[0],
        None => crate::bail_say!(
            "{}: the lake's org tree has {} top units; name the one to read with --unit",
            "{}：数据湖的组织树有 {} 个顶层单位；请用 --unit 指定要读取的单位",
            dir.join("org_units").display(),
            tops.len()
        ),
    };
    let mut children: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for u in tree {
        if let Some(p) = u.parent_id.as_deref() {
            children.entry(p).or_default().push(&u.unit_id);
        }
    }
    let mut units = Vec::new();
    let mut stack = vec![root];
    while let Some(u) = stack.pop() {
        if units.len() > tree.len() {
            break; // a cycle in the lake's tree
        }
        units.push(u.to_string());
        stack.extend(children.get(u).into_iter().flatten());
    }
    // The city partition a unit's rows are in: its own city, or the one above it.
    let mut city_above = None;
    let mut at = Some(root);
    for _ in 0..=tree.len() {
        let Some(u) = at else { break };
        if level.get(u) == Some(&"city") {
            city_above = Some(u);
            break;
        }
        at = parent.get(u).copied().flatten();
    }
    let (cities, filter_units) = match city_above {
        Some(city) => (Some(BTreeSet::from([city.to_string()])), city != root),
        None if tops.contains(&root) && tops.len() == 1 => (None, false),
        None => {
            let mut cities: BTreeSet<String> = units
                .iter()
                .filter(|u| level.get(u.as_str()) == Some(&"city"))
                .cloned()
                .collect();
            cities.insert(ABOVE_CITIES.to_string());
            (Some(cities), true)
        }
    };
    Ok(Reach {
        root: root.to_string(),
        units,
        cities,
        filter_units,
    })
}

/// The files of `t` in the slice.
/// The files of `t` in the slice: its months (`from` and `to` as asked: None reads every
/// month on that side) and its cities.
fn chosen(
    t: &Table,
    files: Vec<LakeFile>,
    reach: &Reach,
    from: Option<&str>,
    to: Option<&str>,
) -> Vec<LakeFile> {
    let from = from.filter(|_| !RUN_INTO_THE_SLICE.contains(&t.name));
    let to = to.filter(|_| !SETTLE_THE_SLICE.contains(&t.name));
    files
        .into_iter()
        .filter(|f| match &f.month {
            // Rows with no date are in every slice.
            Some(m) if m != "none" => {
                from.is_none_or(|from| m.as_str() >= from) && to.is_none_or(|to| m.as_str() <= to)
            }
            _ => true,
        })
        .filter(|f| match (&f.city, &reach.cities) {
            (Some(c), Some(cities)) => cities.contains(c),
            _ => true,
        })
        .collect()
}

/// The columns of `t` whose type in the files is not the model's (cast in the view), after
/// checking that every file has every column with a type that holds its values; and whether
/// the files differ in their schemas (read by name then).
fn check_schemas(p: &Project, t: &Table, files: &[LakeFile]) -> anyhow::Result<(Vec<&'static str>, bool)> {
    let paths: Vec<PathBuf> = files.iter().map(|f| f.path.clone()).collect();
    let signatures = sql::file_signatures(p, &paths)?;
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for (file, signature) in &signatures {
        seen.entry(signature).or_insert(file);
    }
    let mut cast = BTreeSet::new();
    for file in seen.values() {
        let have = sql::file_columns(p, Path::new(file))?;
        for c in t.columns {
            let Some((_, ty)) = have.iter().find(|(name, _)| name == c.name) else {
                crate::bail_say!(
                    "{file}: this partition of {} has no column {} (another schema than the table's)",
                    "{file}：{} 的这个分区没有列 {}（与该表的结构不同）",
                    t.name,
                    c.name
                );
            };
            if ty != c.ty.sql() {
                if !loading::holds_type(c.ty, ty) {
                    crate::bail_say!(
                        "{file}: in this partition of {}, the column {} is {ty}, not {} (another schema than the table's)",
                        "{file}：{} 的这个分区中，列 {} 的类型为 {ty}，而非 {}（与该表的结构不同）",
                        t.name,
                        c.name,
                        c.ty.sql()
                    );
                }
                cast.insert(c.name);
            }
        }
    }
    Ok((cast.into_iter().collect(), seen.len() > 1))
}

fn fill(
    p: &Project,
    dir: &Path,
    slice: &Slice,
    from: &str,
    to: &str,
    progress: &Progress,
) -> anyhow::Result<Attached> {
    let org_files = files_of(&dir.join("org_units"))?;
    let org_file = the_org_file(dir, &org_files)?;
    check_schemas(
        p,
        crate::model::table("org_units").expect("a table of the model"),
        &org_files,
    )?;
    let tree = sql::read_org_tree(p, &org_file.path)?;
    let reach = reach(dir, &tree, slice.unit.as_deref())?;

    // Every file is checked before anything is replaced.
    let ym = |d: NaiveDate| d.format("%Y-%m").to_string();
    let (asked_from, asked_to) = (slice.from.map(ym), slice.to.map(ym));
    let mut plan = Vec::new();
    for (i, t) in TABLES.iter().enumerate().filter(|(_, t)| t.name != "org_units") {
        progress.check()?;
        progress.set(
            Some(0.5 * i as f32 / TABLES.len() as f32),
            crate::say!("Checking the lake's {}", "正在检查数据湖的 {}", t.name),
        );
        let all = files_of(&dir.join(t.name))?;
        if all.is_empty() {
            // An export leaves a file even for an empty table: this folder lost its files.
            crate::bail_say!(
                "{}: the table's folder holds no Parquet file",
                "{}：该表的文件夹中没有 Parquet 文件",
                dir.join(t.name).display()
            );
        }
        let files = chosen(t, all, &reach, asked_from.as_deref(), asked_to.as_deref());
        // No rows of the slice (a city without orderly plans): the empty table stays.
        let (cast, mixed) = if files.is_empty() {
            (Vec::new(), false)
        } else {
            check_schemas(p, t, &files)?
        };
        plan.push((t, files, cast, mixed));
    }
    let started_at = chrono::Local::now().naive_local();
    p.transaction(|p| {
        sql::fill_org_units(p, &org_file.path, &reach.units, &reach.root)?;
        let import_id = loading::next_import_id(p)?;
        let mut tables = Vec::new();
        for (i, (t, files, cast, mixed)) in plan.iter().enumerate() {
            progress.check()?;
            progress.set(
                Some(0.5 + 0.5 * i as f32 / plan.len() as f32),
                crate::say!("Attaching {}", "正在挂接 {}", t.name),
            );
            let paths: Vec<PathBuf> = files.iter().map(|f| f.path.clone()).collect();
            if paths.is_empty() {
                tables.push((t.name.to_string(), 0, 0));
                continue;
            }
            let kept = match (reach.filter_units, t.unit_link) {
                (false, _) | (_, crate::model::UnitLink::Global) => RowsKept::All,
                (true, crate::model::UnitLink::ViaCustomer) => RowsKept::OfCustomers,
                (true, _) => RowsKept::OfUnits(&reach.units),
            };
            sql::attach_table(p, t, &paths, cast, *mixed, kept)?;
            let rows = sql::count_rows(p, t)?;
            loading::record_import(
                p,
                import_id,
                &loading::ImportEntry {
                    kind: "lake",
                    source: &dir.to_string_lossy(),
                    table: t.name,
                    file_name: &match files.len() {
                        1 => "1 Parquet file".to_string(),
                        n => format!("{n} Parquet files"),
                    },
                    file_size: files
                        .iter()
                        .filter_map(|f| std::fs::metadata(&f.path).ok())
                        .map(|m| m.len())
                        .sum(),
                    sha256: "",
                    profile: None,
                    rows_in: rows,
                    rows_stored: rows,
                    rows_rejected: 0,
                    started_at,
                },
            )?;
            tables.push((t.name.to_string(), files.len(), rows));
        }
        // The lake's calendar must hold every day the connection counts look up.
        if let (gaps @ 1.., Some(first)) = crate::store::calendar::gaps(p)? {
            crate::bail_say!(
                "{}: the working-day calendar lacks {} day(s) of the slice's connection applications, the first {}; export the lake again from a project (MAMS fills its calendar)",
                "{}：工作日历缺少本切片业扩申请所需的 {} 天，最早为 {}；请从项目重新导出数据湖（MAMS 会补全日历）",
                dir.join("work_calendar").display(),
                gaps,
                first
            );
        }
        let slice_text = serde_json::json!({
            "unit": reach.root,
            "from": from,
            "to": to,
        });
        p.set_meta(SLICE_KEY, &slice_text.to_string())?;
        let read: Vec<String> = plan
            .iter()
            .flat_map(|(_, files, ..)| files.iter().map(|f| f.path.to_string_lossy().into_owned()))
            .chain([org_file.path.to_string_lossy().into_owned()])
            .collect();
        p.set_meta(sql::FILES_KEY, &serde_json::to_string(&read)?)?;
        Ok(Attached {
            root: reach.root.clone(),
            units: reach.units.len(),
            from: from.to_string(),
            to: to.to_string(),
            tables,
        })
    })
}
