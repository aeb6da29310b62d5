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
        wait = new WebDriverWait(driver, Duration.ofSeconds(30));
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
        new WebDriverWait(driver, Duration.ofSeconds(120)).until(ExpectedConditions.textToBe(trainingState, "SUCCEEDED"));
        wait.until(ExpectedConditions.textToBe(By.cssSelector("tr[data-job-id='" + sleeper + "'] .job-state"), "RUNNING"));
        screenshot("02-jobs");

        // filtering by name keeps only the matching job
        driver.findElement(By.id("filter-name")).sendKeys("sleeper");
        wait.until(d -> shownJobs().equals(List.of(sleeper)));
        driver.findElement(By.id("filter-name")).clear();
        driver.findElement(By.id("filter-name")).sendKeys("mlp");
        wait.until(d -> shownJobs().equals(List.of(training)));

        // the job's page: its state, its loss curve drawn with one point per epoch, its logs
        driver.findElement(By.cssSelector("tr[data-job-id='" + training + "'] a")).click();
        wait.until(ExpectedConditions.textToBe(By.cssSelector("#job-state .badge"), "SUCCEEDED"));
        wait.until(ExpectedConditions.attributeToBe(By.id("loss-chart"), "data-points", String.valueOf(EPOCHS)));
        // ECharts draws with SVG: the loss series is a path of EPOCHS points, one move and EPOCHS - 1 lines
        wait.until(d -> lossPathPoints() == EPOCHS);
        wait.until(ExpectedConditions.textMatches(By.id("logs"), java.util.regex.Pattern.compile("epoch " + EPOCHS + "\\b")));
        assertThat(driver.findElement(By.id("placement-table")).getText()).contains("gpu-node-1", "SUCCEEDED");
        assertThat(driver.findElement(By.id("events-table")).getText()).contains("QUEUED", "RUNNING", "SUCCEEDED");
        screenshot("03-job");

        // the nodes page: the server's 4 GPUs, one half allocated to the sleeper; its detail names the holder
        driver.findElement(By.cssSelector("#nav a[data-page='nodes']")).click();
        By gpuCells = By.cssSelector("tr[data-server='gpu-node-1'] td.gpus .gpu");
        wait.until(d -> d.findElements(gpuCells).size() == 4);
        wait.until(d -> d.findElements(gpuCells).stream()
                .filter(c -> c.getAttribute("title").startsWith("50 % allocated")).count() == 1);
        assertThat(driver.findElement(By.cssSelector("tr[data-server='gpu-node-1']")).getText()).contains("READY", "connected");
        driver.findElement(By.cssSelector("tr[data-server='gpu-node-1']")).click();
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

    /** Ids of the jobs the jobs page lists, in order. */
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
