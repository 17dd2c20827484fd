package io.framewire.server;

import io.framewire.client.ClientMain;
import io.framewire.client.ExitCode;
import io.framewire.samples.SyntheticVideo;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The live page in a real headless Chromium during a real job: progress advances and the frame image loads. */
class PreviewPageBrowserTest
{
    private static final File CHROMIUM = new File("/usr/bin/chromium");
    private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");

    @TempDir
    Path dir;

    @Test
    void livePageShowsProgressAndFrames() throws Exception
    {
        Assumptions.assumeTrue(CHROMIUM.canExecute() && CHROMEDRIVER.canExecute(),
            "SKIPPED: the browser test needs Debian's chromium and chromium-driver (.ci/run installs them)");
        final Path video = dir.resolve("input.mp4");
        SyntheticVideo.write(video, 640, 360, 400, 25);
        try (FramewireServer server = FramewireServer.start(ServerFixture.context(dir).previewPort(0)
            .thumbnails(5)))
        {
            final ChromeOptions options = new ChromeOptions()
                .setBinary(CHROMIUM)
                .addArguments("--headless", "--window-size=1280,1100",
                    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                    "--user-data-dir=" + dir.resolve("chromium-profile"));
            final ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER).usingAnyFreePort().build();
            final WebDriver browser = new ChromeDriver(service, options);
            try
            {
                final ByteArrayOutputStream clientErr = new ByteArrayOutputStream();
                final CompletableFuture<Integer> job = CompletableFuture.supplyAsync(() -> ClientMain.run(
                    new PrintStream(OutputStream.nullOutputStream()), new PrintStream(clientErr, true,
                        StandardCharsets.UTF_8),
                    "--port", Integer.toString(server.port()), "--video", video.toString(), "--out",
                    dir.resolve("out.mp4").toString(), "--quiet", "--preview"));
                // The URL the client prints, as a person would open it: it carries the job's view token.
                String url = null;
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (url == null && System.nanoTime() < deadline)
                {
                    url = clientErr.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("preview: "))
                        .map(l -> l.substring("preview: ".length())).findFirst().orElse(null);
                    Thread.sleep(20);
                }
                assertNotNull(url, clientErr.toString(StandardCharsets.UTF_8));
                browser.get(url);
                assertFalse(browser.getCurrentUrl().contains("token="), "the token leaves the address bar: " +
                    browser.getCurrentUrl());

                final WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
                final String first = wait.until(b ->
                {
                    final var progress = b.findElements(By.cssSelector(".progress-text"));
                    return progress.isEmpty() || progress.getFirst().getText().startsWith("0 ") ? null :
                        progress.getFirst().getText();
                });
                final String later = wait.until(b ->
                {
                    final String text = b.findElement(By.cssSelector(".progress-text")).getText();
                    return text.equals(first) ? null : text;
                });
                // "N / M frames": the count grows, and never past the total, without a reload.
                final long firstCount = Long.parseLong(first.split(" ")[0]);
                final long laterCount = Long.parseLong(later.split(" ")[0]);
                assertTrue(laterCount > firstCount, "the progress advances: " + first + " then " + later);
                // The total the container declares, marked as an estimate (~) until decoding has ended.
                assertTrue(later.matches("\\d+ / ~?\\d+ frames"), later);
                assertTrue(laterCount <= Long.parseLong(later.split(" ")[2].replace("~", "")), later);
                // Read in one script: the page redraws its rows twice a second.
                final String serverLine = (String)((JavascriptExecutor)browser).executeScript(
                    "return document.getElementById('server').textContent;");
                assertTrue(serverLine.matches("server cpu \\d+ % · .*"), "CPU in whole percent: " + serverLine);
                final String latency = (String)((JavascriptExecutor)browser).executeScript(
                    "return [...document.querySelectorAll('td.v')].map(t => t.textContent)" +
                    ".find(t => t.endsWith(' ms')) || '';");
                assertTrue(latency.matches("\\d+ / \\d+ / \\d+ ms"), "latency in whole ms: " + latency);
                final Long frameShown = wait.until(b -> (Long)((JavascriptExecutor)b).executeScript(
                    "const img = document.querySelector('img.frame');" +
                    "return img !== null && img.complete && img.naturalWidth > 0 && img.dataset.n !== undefined ?" +
                    " img.naturalWidth * 100000 + Number(img.dataset.n) : null;"));
                assertEquals(640, frameShown / 100000, "the frame shown is the video's width");
                assertTrue(frameShown % 100000 < 400, "and one of the job's 400 frames: " + frameShown % 100000);

                // Charts with points and labelled axes: fps and latency over time, with units.
                final JavascriptExecutor js = (JavascriptExecutor)browser;
                final Long fpsPoints = wait.until(b -> (Long)js.executeScript(
                    "const p = document.querySelector('svg.fps polyline.series');" +
                    "const n = p ? p.getAttribute('points').trim().split(' ').length : 0; return n >= 3 ? n : null;"));
                assertTrue(fpsPoints >= 3, "the fps chart has points: " + fpsPoints);
                final String fpsAxis = (String)js.executeScript("return [...document.querySelectorAll(" +
                    "'svg.fps text.y-label, svg.fps text.x-title')].map(t => t.textContent).join('|');");
                assertTrue(fpsAxis.matches("0 fps\\|\\d+ fps\\|\\d+ fps\\|time since start \\(s\\)"), fpsAxis);
                final String latencyAxis = (String)js.executeScript("return [...document.querySelectorAll(" +
                    "'svg.latency text.y-label')].map(t => t.textContent).join('|');");
                assertTrue(latencyAxis.matches("0 ms\\|\\d+ ms\\|\\d+ ms"), latencyAxis);
                assertEquals(3L, js.executeScript("return document.querySelectorAll('svg.latency polyline').length;"),
                    "p50, p95 and p99");
                // The workers, with their state and CPU in whole percent.
                final String worker = (String)js.executeScript(
                    "const r = document.querySelector('#workers tbody tr');" +
                    "return r ? [...r.children].map(td => td.textContent).join('|') : '';");
                assertTrue(worker.matches("\\d+\\|embedded\\|(busy|idle)\\|\\d+\\|\\d+\\|\\d+ %\\|\\d+ ms ago"),
                    worker);

                assertEquals(ExitCode.OK, job.get(120, TimeUnit.SECONDS));
                // Finished: a summary line, the thumbnails shown.
                final String summary = wait.until(b -> (String)js.executeScript(
                    "const s = document.querySelector('.summary'); return s && s.textContent ? s.textContent : null;"));
                assertTrue(summary.matches("done: 400 frames in \\d+\\.\\d s \\(\\d+\\.\\d fps\\) · latency \\d+ / " +
                    "\\d+ / \\d+ ms · \\d+ retries"), summary);
                final Long thumbnails = wait.until(b -> (Long)js.executeScript(
                    "const t = [...document.querySelectorAll('.thumbs img')].filter(i => i.complete && " +
                    "i.naturalWidth === 320); return t.length === 5 ? 5 : null;"));
                assertEquals(5L, thumbnails);
                final Path screenshots = Files.createDirectories(Path.of("target", "screenshots"));
                Files.write(screenshots.resolve("preview-page.png"),
                    ((TakesScreenshot)browser).getScreenshotAs(OutputType.BYTES));
            }
            finally
            {
                browser.quit();
            }
        }
    }
}
