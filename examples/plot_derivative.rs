//! f(x) = sin(x) and its derivative, computed with `#[differentiable]`, plotted over [-2π, 2π]
//! (the d2l exercise "plot f(x) = sin(x) and df/dx without using that f'(x) = cos(x)").
//!
//! `cargo run --example plot_derivative [OUT.svg|OUT.png]` (default `target/plot_derivative.svg`)
//!
//! The SVG has a caption, axis labels and a legend (an SVG viewer lays out the text). plotters
//! is built without a font engine (`ttf`), so a PNG can't render text: it gets the same curves
//! and grid, without labels.
use autodiff::prelude::*;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::error::Error;
use std::f64::consts::PI;

/// The function to differentiate, element-wise over a tensor of sample points.
#[differentiable]
fn f(x: &Tensor<f64>) -> Tensor<f64> {
    x.sin()
}

/// Samples of x, f(x) and df/dx, plus the largest |df/dx - cos(x)|.
pub struct Samples {
    /// The sample points, evenly spaced over [-2π, 2π].
    pub x: Vec<f64>,
    /// sin(x).
    pub y: Vec<f64>,
    /// The derivative from the generated pullback.
    pub dy: Vec<f64>,
    /// max |dy - cos(x)| over the samples.
    pub max_error: f64,
}

/// Differentiates f at `n` points of [-2π, 2π].
pub fn samples(n: usize) -> Samples {
    let x = Tensor::from_vec(
        (0..n)
            .map(|i| -2.0 * PI + 4.0 * PI * i as f64 / (n - 1) as f64)
            .collect(),
        &[n],
    );
    // f maps each element on its own, so its Jacobian is diagonal: pulling back a cotangent of
    // ones (PyTorch's `y.sum().backward()`) gives every f'(x_i) at once.
    let (y, pullback) = f_vjp(&x);
    let dy = pullback(Tensor::ones(&[n]));
    let max_error = dy
        .as_slice()
        .iter()
        .zip(x.as_slice())
        .map(|(d, x)| (d - x.cos()).abs())
        .fold(0.0, f64::max);
    Samples {
        x: x.to_vec(),
        y: y.to_vec(),
        dy: dy.to_vec(),
        max_error,
    }
}

/// Draws both curves on `root`; `labels` adds the caption, axis labels and legend.
fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &Samples,
    labels: bool,
) -> Result<(), Box<dyn Error>>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let mut builder = ChartBuilder::on(root);
    builder.margin(20);
    if labels {
        builder.caption(
            "f(x) = sin(x) and df/dx from #[differentiable]",
            ("sans-serif", 22),
        );
        builder.x_label_area_size(40).y_label_area_size(50);
    }
    let mut chart = builder.build_cartesian_2d(-2.0 * PI..2.0 * PI, -1.2..1.2)?;
    let mut mesh = chart.configure_mesh();
    if labels {
        mesh.x_desc("x").y_desc("y");
    } else {
        mesh.disable_x_axis().disable_y_axis();
    }
    mesh.draw()?;
    let points = |v: &[f64]| {
        s.x.iter()
            .copied()
            .zip(v.iter().copied())
            .collect::<Vec<_>>()
    };
    let curves = [
        (&s.y, BLUE, "f(x) = sin(x)"),
        (&s.dy, RED, "df/dx (pullback of ones)"),
    ];
    for (values, color, label) in curves {
        let series = chart.draw_series(LineSeries::new(points(values), color.stroke_width(2)))?;
        if labels {
            series
                .label(label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color));
        }
    }
    if labels {
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()?;
    }
    root.present()?;
    Ok(())
}

/// Computes the samples and writes the plot to `path` (SVG, or PNG when it ends in `.png`).
pub fn plot(path: &str) -> Result<Samples, Box<dyn Error>> {
    let s = samples(401);
    if let Some(dir) = std::path::Path::new(path).parent() {
        std::fs::create_dir_all(dir)?;
    }
    if path.ends_with(".png") {
        draw(
            &BitMapBackend::new(path, (800, 500)).into_drawing_area(),
            &s,
            false,
        )?;
    } else {
        draw(
            &SVGBackend::new(path, (800, 500)).into_drawing_area(),
            &s,
            true,
        )?;
    }
    Ok(s)
}

#[allow(dead_code)] // `tests/examples.rs` includes this file and calls `plot` instead
fn main() -> Result<(), Box<dyn Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/plot_derivative.svg".to_string());
    let s = plot(&path)?;
    println!(
        "{} points over [-2π, 2π]; max |df/dx - cos(x)| = {:e}",
        s.x.len(),
        s.max_error
    );
    assert!(s.max_error < 1e-5, "the derivative of sin is not cos");
    println!("wrote {path}");
    Ok(())
}
