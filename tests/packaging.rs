//! What can be checked here of the packages built elsewhere: the Windows and macOS
//! configuration (installer/packager.toml) and the release workflow parse, and every path they
//! and the Debian package's metadata name exists. Building the packages themselves:
//! installer/README.md.

use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_packager_configuration_parses_and_names_files_that_exist() {
    let config: toml::Value = toml::from_str(&read("installer/packager.toml")).unwrap();
    assert_eq!(config["product-name"].as_str(), Some("MAMS"));
    // The version follows Cargo.toml's.
    assert_eq!(config["version"].as_str(), Some(env!("CARGO_PKG_VERSION")));
    let formats: Vec<&str> = config["formats"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f.as_str())
        .collect();
    for f in ["nsis", "wix", "app", "dmg"] {
        assert!(formats.contains(&f), "{f} missing");
    }
    assert!(root().join(config["license-file"].as_str().unwrap()).is_file());
    for icon in config["icons"].as_array().unwrap() {
        let icon = icon.as_str().unwrap();
        assert!(root().join(icon).is_file(), "{icon}");
    }
    for r in config["resources"].as_array().unwrap() {
        let src = r["src"].as_str().unwrap();
        assert!(root().join(src).exists(), "{src}");
    }
    let bin = &config["binaries"].as_array().unwrap()[0];
    assert_eq!(
        (bin["path"].as_str(), bin["main"].as_bool()),
        (Some("mams"), Some(true))
    );
}

#[test]
fn the_release_workflow_builds_on_windows_macos_and_debian_for_a_tag() {
    let wf: serde_yaml::Value = serde_yaml::from_str(&read(".github/workflows/release.yml")).unwrap();
    let tags = &wf["on"]["push"]["tags"];
    assert_eq!(tags[0].as_str(), Some("v*"));
    let matrix = wf["jobs"]["package"]["strategy"]["matrix"]["include"]
        .as_sequence()
        .unwrap();
    let oses: Vec<&str> = matrix.iter().filter_map(|m| m["os"].as_str()).collect();
    assert_eq!(oses, ["windows-latest", "macos-latest"]);
    let steps = serde_yaml::to_string(&wf["jobs"]).unwrap();
    assert!(steps.contains("cargo packager --release -c installer/packager.toml"));
    assert!(steps.contains("installer/build-deb.sh") && steps.contains("installer/test-deb.sh"));
    for script in [
        "installer/build-deb.sh",
        "installer/test-deb.sh",
        "installer/licenses/collect.sh",
    ] {
        assert!(root().join(script).is_file(), "{script}");
    }
}

#[test]
fn the_debian_package_names_files_that_exist() {
    let cargo: toml::Value = toml::from_str(&read("Cargo.toml")).unwrap();
    let deb = &cargo["package"]["metadata"]["deb"];
    let depends = deb["depends"].as_str().unwrap();
    for lib in ["libxkbcommon0", "libegl1", "libwayland-client0", "libx11-6"] {
        assert!(depends.contains(lib), "{lib} not declared");
    }
    for asset in deb["assets"].as_array().unwrap() {
        let src = asset[0].as_str().unwrap();
        if src.starts_with("target/") {
            continue; // the binary, built by cargo-deb
        }
        let dir = src.trim_end_matches("/*");
        assert!(root().join(dir).exists(), "{src}");
    }
    // The desktop entry names the icon the package installs and the binary.
    let desktop = read("installer/linux/mams.desktop");
    assert!(desktop.contains("\nIcon=mams\n") && desktop.contains("\nExec=mams %f\n"));
    let metainfo = read("installer/linux/io.github.mams.MAMS.metainfo.xml");
    assert!(metainfo.contains("<launchable type=\"desktop-id\">mams.desktop</launchable>"));
}
