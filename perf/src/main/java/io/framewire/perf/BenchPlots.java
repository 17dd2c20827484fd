package io.framewire.perf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.HdrHistogram.Histogram;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;

/** The bench's latency histograms, merged from the jobs' results, and its two plots. */
final class BenchPlots
{
    private BenchPlots()
    {
    }

    /** The jobs' histograms of one run, merged. */
    static Histogram merged(final ObjectNode run, final String name)
    {
        final Histogram all = new Histogram(3);
        for (final JsonNode result : run.get("jobs_results"))
        {
            final byte[] bytes = Base64.getDecoder().decode(result.get("latency_histograms").get(name).asText());
            try
            {
                all.add(Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(bytes), 0));
            }
            catch (final DataFormatException ex)
            {
                throw new IllegalStateException("a job's " + name + " histogram does not decode", ex);
            }
        }
        return all;
    }

    /** Dispatch-to-result latency by percentile, one line per processing type, as a PNG. */
    static void plot(final Path file, final String size, final Map<String, Histogram> histograms)
    {
        final double[] percentiles = {50, 75, 90, 95, 99, 99.9, 100};
        final List<String> labels = List.of("p50", "p75", "p90", "p95", "p99", "p99.9", "max");
        try
        {
            final CategoryChart chart = new CategoryChartBuilder().width(900).height(500)
                .title("framewire " + size + ": dispatch to result, by percentile").xAxisTitle("percentile")
                .yAxisTitle("ms").build();
            chart.getStyler().setDefaultSeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
            chart.getStyler().setYAxisLogarithmic(true);
            histograms.forEach((type, histogram) ->
            {
                final List<Double> values = new ArrayList<>();
                for (final double percentile : percentiles)
                {
                    values.add(Math.max(0.001, histogram.getValueAtPercentile(percentile) / 1e6));
                }
                chart.addSeries(type, labels, values);
            });
            BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            // Java2D needs fonts; without them the numbers are all still in the table and the log.
            System.err.println("framewire bench: no plot (" + ex + ")");
        }
    }

    /** Frames encoded per second (the server's fps_out) against seconds since the run's start, one line per type. */
    static void plotFps(final Path file, final String size, final Map<String, List<double[]>> samples)
    {
        try
        {
            final XYChart chart = new XYChartBuilder().width(900).height(500)
                .title("framewire " + size + ": frames encoded per second").xAxisTitle("s since the clients started")
                .yAxisTitle("fps").build();
            chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
            samples.forEach((type, points) ->
            {
                if (!points.isEmpty())
                {
                    final double[] t = new double[points.size()];
                    final double[] fpsOut = new double[points.size()];
                    for (int i = 0; i < points.size(); i++)
                    {
                        t[i] = points.get(i)[0];
                        fpsOut[i] = points.get(i)[3];
                    }
                    chart.addSeries(type, t, fpsOut);
                }
            });
            BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            System.err.println("framewire bench: no plot (" + ex + ")");
        }
    }
}
