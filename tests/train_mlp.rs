//! `examples/train_mlp.rs`: the Iris table it carries is Fisher's (the published per-class
//! statistics), its split and scaling are what it says, and training with the fixed seed reaches
//! the stated loss and test accuracy.

#[path = "../examples/train_mlp.rs"]
mod train_mlp;

use train_mlp::{Config, Dataset, FEATURES, SPECIES};

/// Per-class means and sample standard deviations of sepal length, sepal width, petal length
/// and petal width, as published for Fisher's data (e.g. R's `aggregate(. ~ Species, iris, mean)`
/// and `sd`), to three decimals.
const MEANS: [[f32; 4]; 3] = [
    [5.006, 3.428, 1.462, 0.246],
    [5.936, 2.770, 4.260, 1.326],
    [6.588, 2.974, 5.552, 2.026],
];
const SDS: [[f32; 4]; 3] = [
    [0.352, 0.379, 0.174, 0.105],
    [0.516, 0.314, 0.470, 0.198],
    [0.636, 0.322, 0.552, 0.275],
];

fn column(data: &Dataset, class: usize, j: usize) -> Vec<f64> {
    (0..data.y.len())
        .filter(|&i| data.y[i] == class)
        .map(|i| data.x[i][j] as f64)
        .collect()
}

#[test]
fn iris_table_has_the_published_class_statistics() {
    let data = train_mlp::iris();
    assert_eq!(data.x.len(), 150);
    for (class, name) in SPECIES.iter().enumerate() {
        for j in 0..FEATURES {
            let v = column(&data, class, j);
            assert_eq!(v.len(), 50, "{name}");
            let mean = v.iter().sum::<f64>() / 50.0;
            let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 49.0;
            let (m, s) = (MEANS[class][j] as f64, SDS[class][j] as f64);
            assert!(
                (mean - m).abs() < 5e-4,
                "{name} column {j}: mean {mean}, published {m}"
            );
            let sd = var.sqrt();
            assert!(
                (sd - s).abs() < 5e-4,
                "{name} column {j}: sd {sd}, published {s}"
            );
        }
    }
}

fn sorted_rows(sets: &[&Dataset]) -> Vec<(Vec<u32>, usize)> {
    let mut rows: Vec<(Vec<u32>, usize)> = sets
        .iter()
        .flat_map(|d| d.x.iter().zip(&d.y))
        .map(|(x, &y)| (x.iter().map(|v| (v * 10.0).round() as u32).collect(), y))
        .collect();
    rows.sort();
    rows
}

#[test]
fn split_is_stratified_deterministic_and_a_partition() {
    let data = train_mlp::iris();
    let (train, test) = train_mlp::split(&data, 10, 7);
    assert_eq!((train.y.len(), test.y.len()), (120, 30));
    for class in 0..SPECIES.len() {
        assert_eq!(test.y.iter().filter(|&&y| y == class).count(), 10);
    }
    assert_eq!(sorted_rows(&[&train, &test]), sorted_rows(&[&data]));
    let (_, again) = train_mlp::split(&data, 10, 7);
    assert_eq!(again.x, test.x);
    let (_, other) = train_mlp::split(&data, 10, 8);
    assert_ne!(other.x, test.x, "the seed chooses the held-out rows");
}

#[test]
fn standardised_training_columns_have_mean_0_and_sd_1() {
    let (train, _) = train_mlp::split(&train_mlp::iris(), 10, 1);
    let x = train_mlp::Standardizer::fit(&train).apply(&train);
    assert_eq!(x.shape(), &[120, FEATURES]);
    let v = x.as_slice();
    for j in 0..FEATURES {
        let col: Vec<f32> = v.iter().skip(j).step_by(FEATURES).copied().collect();
        let mean = col.iter().sum::<f32>() / 120.0;
        let var = col.iter().map(|c| (c - mean).powi(2)).sum::<f32>() / 120.0;
        assert!(
            mean.abs() < 1e-5 && (var - 1.0).abs() < 1e-4,
            "{j}: {mean} {var}"
        );
    }
}

#[test]
fn training_with_the_fixed_seed_reaches_the_stated_loss_and_accuracy() {
    let cfg = Config {
        progress: false,
        ..Config::default()
    };
    let t = train_mlp::train(&cfg);
    assert_eq!(t.losses.len(), cfg.epochs);
    let (first, last) = (t.losses[0], *t.losses.last().unwrap());
    assert!(
        last < train_mlp::LOSS_THRESHOLD && last < first / 4.0,
        "{:?}",
        t.losses
    );
    assert!(
        t.test_accuracy >= train_mlp::ACCURACY_THRESHOLD,
        "test accuracy {}",
        t.test_accuracy
    );
    assert!(t.test_loss.is_finite() && t.train_accuracy >= 0.9);
    assert_eq!(t.model.layers.len(), 2);
    assert_eq!(t.model.layers[0].w.shape(), &[FEATURES, 16]);
    // the same seed gives the same run, bit for bit
    assert_eq!(train_mlp::train(&cfg).losses, t.losses);

    let dir = std::env::temp_dir().join(format!("autodiff-train-mlp-{}", std::process::id()));
    for file in ["loss.svg", "loss.png"] {
        let path = dir.join(file);
        train_mlp::plot_losses(&t.losses, path.to_str().unwrap()).unwrap();
        assert!(std::fs::metadata(&path).unwrap().len() > 1000, "{file}");
    }
    let svg = std::fs::read_to_string(dir.join("loss.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("epoch"));
    assert_eq!(&std::fs::read(dir.join("loss.png")).unwrap()[1..4], b"PNG");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn tanh_hidden_layers_train_as_well() {
    let cfg = Config {
        act: train_mlp::Act::Tanh,
        progress: false,
        ..Config::default()
    };
    let t = train_mlp::train(&cfg);
    let last = *t.losses.last().unwrap();
    assert!(last < train_mlp::LOSS_THRESHOLD, "{:?}", t.losses);
    assert!(
        t.test_accuracy >= train_mlp::ACCURACY_THRESHOLD,
        "test accuracy {}",
        t.test_accuracy
    );
    let relu = train_mlp::train(&Config {
        progress: false,
        ..Config::default()
    });
    assert_ne!(relu.losses, t.losses, "the skipped `act` field is used");
}
