package io.berth.api.e2e;

import com.jayway.jsonpath.JsonPath;
import io.berth.api.ApiTestBase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The dashboard in a real browser: headless Chromium driven through the system chromedriver (Debian's
 * {@code chromium} and {@code chromium-driver}), against this control plane and a node agent process with 4 simulated
 * GPUs. Screenshots of every page go to {@code target/screenshots}. Without chromedriver the test is skipped, except
 * in CI ({@code CI=true}), where it fails.
 */
class DashboardBrowserTest extends ApiTestBase {
    private static final Path CHROMEDRIVER = Path.of(System.getProperty("berth.chromedriver", "/usr/bin/chromedriver"));
    private static final Path CHROMIUM = Path.of(System.getProperty("berth.chromium", "/usr/bin/chromium"));
    private static final Path SCREENSHOTS = Path.of("target/screenshots");
    private static final int EPOCHS = 12;

    @TempDir
    Path dir;
    private AgentProcesses agents;
    private WebDriver driver;
    private WebDriverWait wait;

    @BeforeEach
    void start() throws Exception {
        if (!Files.isExecutable(CHROMEDRIVER) || !Files.isExecutable(CHROMIUM)) {
            String why = "the dashboard's browser test needs " + CHROMIUM + " and " + CHROMEDRIVER
                    + " (Debian: apt-get install chromium chromium-driver)";
            if ("true".equals(System.getenv("CI"))) fail(why + "; CI must have them (.ci/run installs them)");
            Assumptions.abort(why + "; skipped outside CI");
        }
        agents = new AgentProcesses(dir, port, tokens);
        agents.start("gpu-node-1", 4);
        await().atMost(Duration.ofSeconds(60)).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM servers WHERE name = 'gpu-node-1' AND agent_last_seen IS NOT NULL", Long.class) == 1);

        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + Files.createDirectories(dir.resolve("chromium-profile")),
                "--window-size=1400,1800");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().withLogFile(dir.resolve("chromedriver.log").toFile()).build();
        driver = new ChromeDriver(service, options);
        // the pages re-render their tables as they poll, so an element found a moment ago may be gone: look again
        wait = new WebDriverWait(driver, Duration.ofSeconds(30));
        wait.ignoring(StaleElementReferenceException.class);
        Files.createDirectories(SCREENSHOTS);
        Files.deleteIfExists(SCREENSHOTS.resolve("failure.png"));
        Files.deleteIfExists(SCREENSHOTS.resolve("failure.html"));
    }

    @AfterEach
    void stop() {
        if (driver != null) driver.quit();
        if (agents != null) agents.close();
    }

    @Test
    void signInWatchAJobSucceedOpenItsLossCurveAndSeeTheNodesGpus() throws Exception {
        try {
            walkThrough();
        } catch (Throwable e) {
            screenshot("failure");
            Files.writeString(SCREENSHOTS.resolve("failure.html"), driver.getPageSource());
            throw e;
        }
    }

    private void walkThrough() throws Exception {
        driver.get("http://localhost:" + port + "/");

        // a wrong token is refused with a clear message, and the pages stay hidden
        signIn("not-a-valid-token");
        WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("sign-in-error")));
        assertThat(error.getText()).contains("not valid");
        assertThat(driver.findElement(By.id("nav")).isDisplayed()).isFalse();
        screenshot("01-sign-in-refused");

        signIn(token);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("nav")));
        wait.until(ExpectedConditions.textToBe(By.id("stat-gpus"), "0 / 4"));
        assertThat((String) ((org.openqa.selenium.JavascriptExecutor) driver)
                .executeScript("return sessionStorage.getItem('berth.token')")).isEqualTo(token);

        String training = submit("""
                name: dashboard-mlp
                tenant: dash
                taskGroups:
                  - {name: trainer, replicas: 1, cpuMillis: 1000, memoryMib: 1024, gpus: 1}
                runtime:
                  type: embedded
                  embedded:
                    model: {type: mlp, hiddenLayers: [16], activation: tanh}
                    data: {type: generated, generator: blobs, samples: 2000, features: 2, classes: 3, noise: 0.5, seed: 7}
                    optimizer: {type: momentum, learningRate: 0.05}
                    batchSize: 32
                    epochs: %d
                """.formatted(EPOCHS));
        // a job that keeps half of one GPU, so the nodes page has an allocation and a holder to show
        String sleeper = submit("""
                {"name":"dashboard-sleeper","tenant":"dash","taskGroups":[{"name":"w","replicas":1,"cpuMillis":500,
                 "memoryMib":256,"gpus":1,"milliGpu":500}],"runtime":{"type":"process","process":{"argv":["sleep","600"]}}}""");

        // the jobs page follows the training job to SUCCEEDED by itself (it polls)
        driver.findElement(By.cssSelector("#nav a[data-page='jobs']")).click();
        By trainingState = By.cssSelector("tr[data-job-id='" + training + "'] .job-state");
        new WebDriverWait(driver, Duration.ofSeconds(120)).ignoring(StaleElementReferenceException.class)
                .until(ExpectedConditions.textToBe(trainingState, "SUCCEEDED"));
        wait.until(ExpectedConditions.textToBe(By.cssSelector("tr[data-job-id='" + sleeper + "'] .job-state"), "RUNNING"));
        screenshot("02-jobs");

        // filtering by name keeps only the matching job
        driver.findElement(By.id("filter-name")).sendKeys("sleeper");
        wait.until(d -> shownJobs().equals(List.of(sleeper)));
        driver.findElement(By.id("filter-name")).clear();
        driver.findElement(By.id("filter-name")).sendKeys("mlp");
        wait.until(d -> shownJobs().equals(List.of(training)));

        // the job's page: its state, its loss curve drawn with one point per epoch, its logs
        click(By.cssSelector("tr[data-job-id='" + training + "'] a"));
        wait.until(ExpectedConditions.textToBe(By.cssSelector("#job-state .badge"), "SUCCEEDED"));
        wait.until(ExpectedConditions.attributeToBe(By.id("loss-chart"), "data-points", String.valueOf(EPOCHS)));
        // ECharts draws with SVG: the loss series is a path of EPOCHS points, one move and EPOCHS - 1 lines
        wait.until(d -> lossPathPoints() == EPOCHS);
        wait.until(ExpectedConditions.textMatches(By.id("logs"), java.util.regex.Pattern.compile("epoch " + EPOCHS + "\\b")));
        assertThat(textOf(By.id("placement-table"))).contains("gpu-node-1", "SUCCEEDED");
        assertThat(textOf(By.id("events-table"))).contains("QUEUED", "RUNNING", "SUCCEEDED");
        screenshot("03-job");

        // the nodes page: the server's 4 GPUs, one half allocated to the sleeper; its detail names the holder
        driver.findElement(By.cssSelector("#nav a[data-page='nodes']")).click();
        By gpuCells = By.cssSelector("tr[data-server='gpu-node-1'] td.gpus .gpu");
        wait.until(d -> d.findElements(gpuCells).size() == 4);
        wait.until(d -> d.findElements(gpuCells).stream()
                .filter(c -> c.getAttribute("title").startsWith("50 % allocated")).count() == 1);
        assertThat(textOf(By.cssSelector("tr[data-server='gpu-node-1']"))).contains("READY", "connected");
        click(By.cssSelector("tr[data-server='gpu-node-1']"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("accelerators-table"), "dashboard-sleeper"));
        assertThat(driver.findElements(By.cssSelector("#accelerators-table tbody tr"))).hasSize(4);
        screenshot("04-nodes");

        // tenants and the cluster overview
        driver.findElement(By.cssSelector("#nav a[data-page='tenants']")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("tr[data-tenant='dash']"), "0.5 GPU"));
        screenshot("05-tenants");
        driver.findElement(By.cssSelector("#nav a[data-page='cluster']")).click();
        wait.until(ExpectedConditions.textToBe(By.id("stat-gpus"), "0.5 / 4"));
        wait.until(d -> !d.findElements(By.cssSelector("#packing-chart svg path")).isEmpty());
        screenshot("06-cluster");

        assertThat(postJson("/api/v1/jobs/" + sleeper + "/cancel", "").status()).isEqualTo(200);
    }

    /**
     * A script run before the dashboard's own in every page. It answers {@code /api/v1/cluster/power} and
     * {@code /power/history} in the browser itself, in the shape of the control plane's {@code power.PowerController},
     * so the power card is checked against figures the test chooses rather than whatever this test's servers happen
     * to report. sessionStorage's {@code berth.test.power} picks them: {@code data} (zone a with racks r1 and r2, zone
     * b with r3, PUE 1.4), {@code racks} (14 racks of no zone, for the chart's grouping of the smaller ones) or
     * {@code missing} (a 404 problem, as from a control plane without the power API); unset or {@code off} passes the
     * call to the control plane. It also keeps every console.error and
     * console.warn call and uncaught error in {@code window.berthErrors}.
     */
    private static final String BROWSER_STUB = """
            window.berthErrors = [];
            for (const level of ['error', 'warn']) {
              const original = console[level].bind(console);
              console[level] = (...args) => { window.berthErrors.push(level + ': ' + args.join(' ')); original(...args); };
            }
            window.addEventListener('error', e => window.berthErrors.push('uncaught: ' + e.message));
            window.addEventListener('unhandledrejection', e => window.berthErrors.push('unhandled: ' + e.reason));
            const realFetch = window.fetch.bind(window);
            const json = (status, body) => new Response(JSON.stringify(body),
              { status, headers: { 'Content-Type': status === 200 ? 'application/json' : 'application/problem+json' } });
            // [rack, zone, servers, watts]: three racks in two zones, or in mode "racks" 14 racks of no zone
            const RACKS = sessionStorage.getItem('berth.test.power') === 'racks'
              ? Array.from({ length: 14 }, (_, i) => ['rack-' + (i + 1), '', 1, 400 + 100 * i])
              : [['r1', 'a', 2, 2600], ['r2', 'a', 2, 1900], ['r3', 'b', 1, 900]];
            // the 14 racks rise and fall together, so their order by power stays that of their base watts
            const racksAt = ms => Object.fromEntries(RACKS.map(([rack, , , w], i) =>
              [rack, Math.round(w * (1 + 0.25 * Math.sin(ms / 600000 + (RACKS.length > 3 ? 0 : i))))]));
            function sample(ms) {
              const racks = racksAt(ms);
              const zones = {};
              for (const [rack, zone] of RACKS) zones[zone] = (zones[zone] || 0) + racks[rack];
              const it = Object.values(zones).reduce((a, b) => a + b, 0);
              return { at: new Date(ms).toISOString(), itWatts: it, facilityWatts: Math.round(it * 1.4), zones, racks };
            }
            window.fetch = (input, init) => {
              const url = new URL(String(input), location.href);
              const mode = sessionStorage.getItem('berth.test.power');
              if (!url.pathname.startsWith('/api/v1/cluster/power') || !mode || mode === 'off') return realFetch(input, init);
              if (mode === 'missing') return Promise.resolve(json(404, { type: 'about:blank', title: 'Not Found',
                status: 404, detail: 'No endpoint GET ' + url.pathname + '.' }));
              const now = Date.now();
              if (url.pathname.endsWith('/history')) {
                const minutes = Number(url.searchParams.get('minutes') || 60);
                const samples = [];
                for (let ms = now - minutes * 60000; ms < now; ms += 30000) samples.push(sample(ms));
                return Promise.resolve(json(200, { pue: 1.4, samples }));
              }
              const s = sample(now);
              return Promise.resolve(json(200, { at: s.at, pue: 1.4, itWatts: s.itWatts, facilityWatts: s.facilityWatts,
                energyJoules: 123456789000,
                zones: Object.entries(s.zones).map(([zone, itWatts]) => ({ zone, itWatts,
                  servers: RACKS.filter(r => r[1] === zone).reduce((n, r) => n + r[2], 0) })),
                racks: RACKS.map(([rack, zone, servers]) => ({ rack, zone, itWatts: s.racks[rack], servers })),
                servers: RACKS.flatMap(([rack, , servers]) => Array.from({ length: servers }, (_, i) => ({
                  name: rack + '-gpu-' + i, rack, watts: Math.round(s.racks[rack] / servers),
                  source: rack === 'r3' ? 'model' : 'nvidia-smi+rapl', at: s.at }))) }));
            };
            """;

    @Test
    void usageOverTimePerTenantAndClusterPower() throws Exception {
        try {
            usageAndPower();
        } catch (Throwable e) {
            screenshot("failure");
            Files.writeString(SCREENSHOTS.resolve("failure.html"), driver.getPageSource());
            throw e;
        }
    }

    private void usageAndPower() throws Exception {
        // accounting records of the last 30 days: acme 2 GPUs for 3 h every 4 h, beta 1 GPU for 5 h every 6 h, gamma
        // 4 GPUs for 1 h every 2 h (each record ends a whole number of periods before now)
        int records = jdbc.update("""
                INSERT INTO usage_records (worker_id, job_id, job_name, tenant, attempt, server_name, accelerator_model,
                    gpus, milli_gpu, gpu_milli, cpu_millis, memory_mib, started_at, ended_at, wall_millis, energy_joules,
                    worker_state, exit_code, job_state)
                SELECT md5(t.tenant || i)::uuid, md5(t.tenant || i || 'job')::uuid, t.tenant || '-' || i, t.tenant, 0,
                       'gpu-node-1', 'A100', t.gpus, 1000, t.gpus * 1000, 4000, 1024,
                       now() - make_interval(hours => i * t.every + t.hours), now() - make_interval(hours => i * t.every),
                       t.hours * 3600000, t.gpus * 400 * t.hours * 3600, 'SUCCEEDED', 0, 'SUCCEEDED'
                FROM (VALUES ('acme', 2, 3, 4), ('beta', 1, 5, 6), ('gamma', 4, 1, 2)) t(tenant, gpus, hours, every)
                CROSS JOIN LATERAL generate_series(0, 30 * 24 / t.every - 1) i""");
        assertThat(records).isEqualTo(180 + 120 + 360);
        ((org.openqa.selenium.chrome.ChromeDriver) driver).executeCdpCommand("Page.addScriptToEvaluateOnNewDocument",
                java.util.Map.of("source", BROWSER_STUB));
        driver.get("http://localhost:" + port + "/#/tenants");
        signIn(token);

        // the last 24 h by hour: one stack per tenant, 24 buckets, the legend names them
        By usageChart = By.id("usage-chart");
        wait.until(ExpectedConditions.attributeToBe(usageChart, "data-series", "acme,beta,gamma"));
        assertThat(driver.findElement(usageChart).getAttribute("data-buckets")).isEqualTo("24");
        wait.until(d -> svgTexts("#usage-chart").containsAll(List.of("acme", "beta", "gamma")));
        assertThat(driver.findElement(By.id("usage-empty")).isDisplayed()).isFalse();
        screenshot("07-usage-24h");

        new org.openqa.selenium.support.ui.Select(driver.findElement(By.id("usage-range"))).selectByValue("30d");
        wait.until(ExpectedConditions.attributeToBe(usageChart, "data-buckets", "30"));
        assertThat(driver.findElement(usageChart).getAttribute("data-series")).isEqualTo("acme,beta,gamma");
        screenshot("08-usage-30d");

        // the cluster page without power data, a short note: the stub's 404 stands for a control plane without the power API
        By note = By.id("power-note");
        if (get("/api/v1/cluster/power").status() == 404) {
            driver.findElement(By.cssSelector("#nav a[data-page='cluster']")).click();
            wait.until(ExpectedConditions.textToBePresentInElementLocated(note, "No power data"));
        }
        ((org.openqa.selenium.JavascriptExecutor) driver).executeScript("sessionStorage.setItem('berth.test.power', 'missing')");
        driver.get("http://localhost:" + port + "/#/cluster");
        wait.until(ExpectedConditions.textToBe(note, "No power data: this control plane does not report power."));
        wait.until(ExpectedConditions.textToBe(By.id("stat-gpus"), "0 / 4"));
        assertThat(driver.findElement(By.id("power-body")).isDisplayed()).isFalse();
        assertThat(browserErrors()).isEmpty();
        screenshot("09-cluster-no-power");

        // with contract-shaped power figures: IT and facility power now with the PUE, and power over time per zone
        ((org.openqa.selenium.JavascriptExecutor) driver).executeScript("sessionStorage.setItem('berth.test.power', 'data')");
        driver.navigate().refresh();
        By chart = By.id("power-chart");
        wait.until(ExpectedConditions.attributeToBe(chart, "data-series", "zone a,zone b,facility (PUE 1.4)"));
        assertThat(driver.findElement(By.id("stat-pue")).getText()).isEqualTo("PUE 1.4");
        assertThat(driver.findElement(By.id("stat-it-watts")).getText()).endsWith("kW");
        assertThat(driver.findElement(note).isDisplayed()).isFalse();
        wait.until(d -> svgTexts("#power-chart").containsAll(List.of("zone a", "zone b", "facility (PUE 1.4)")));
        ((org.openqa.selenium.JavascriptExecutor) driver).executeScript(
                "document.getElementById('power-card').scrollIntoView()");
        assertThat(browserErrors()).isEmpty();
        screenshot("10-cluster-power");

        // one zone of 14 racks: stacked per rack, the 9 drawing most now and the other 5 together
        ((org.openqa.selenium.JavascriptExecutor) driver).executeScript("sessionStorage.setItem('berth.test.power', 'racks')");
        driver.navigate().refresh();
        wait.until(ExpectedConditions.attributeToBe(chart, "data-series", java.util.stream.IntStream.of(14, 13, 12, 11, 10, 9, 8, 7, 6)
                .mapToObj(i -> "rack rack-" + i).collect(java.util.stream.Collectors.joining(","))
                + ",5 other racks,facility (PUE 1.4)"));
        ((org.openqa.selenium.JavascriptExecutor) driver).executeScript(
                "document.getElementById('power-card').scrollIntoView()");
        assertThat(browserErrors()).isEmpty();
        screenshot("11-cluster-power-racks");
    }

    /** The texts of a chart's SVG (legend, axes). */
    private List<String> svgTexts(String chart) {
        return driver.findElements(By.cssSelector(chart + " svg text")).stream().map(WebElement::getText).toList();
    }

    @SuppressWarnings("unchecked")
    private List<String> browserErrors() {
        return (List<String>) ((org.openqa.selenium.JavascriptExecutor) driver).executeScript("return window.berthErrors");
    }

    /** Ids of the jobs the jobs page lists, in order. */
    /** Clicks what the selector finds, finding it again if a re-render replaced it in between. */
    private void click(By selector) {
        wait.until(d -> {
            d.findElement(selector).click();
            return true;
        });
    }

    /** The element's text, finding it again if a re-render replaced it in between. */
    private String textOf(By selector) {
        return wait.until(d -> d.findElement(selector).getText());
    }

    private List<String> shownJobs() {
        return driver.findElements(By.cssSelector("#jobs-table tbody tr[data-job-id]")).stream()
                .map(r -> r.getAttribute("data-job-id")).toList();
    }

    private void signIn(String value) {
        WebElement input = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
        input.clear();
        input.sendKeys(value);
        driver.findElement(By.id("sign-in")).click();
    }

    private String submit(String spec) {
        Response r = post("/api/v1/jobs", spec.strip().startsWith("{") ? "application/json" : "application/yaml", spec);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return JsonPath.read(r.body(), "$.id");
    }

    /** Points of the longest path drawn in the loss chart's first series colour. */
    private int lossPathPoints() {
        List<WebElement> paths = driver.findElements(By.cssSelector("#loss-chart svg path[stroke='#2563eb']"));
        return paths.stream().mapToInt(p -> {
            String d = p.getAttribute("d");
            return d == null ? 0 : d.replaceAll("[^ML]", "").length();
        }).max().orElse(0);
    }

    private void screenshot(String name) throws IOException {
        Files.write(SCREENSHOTS.resolve(name + ".png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    }
}
