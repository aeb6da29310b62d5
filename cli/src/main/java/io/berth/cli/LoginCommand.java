package io.berth.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "login", description = {"Check a server and token and store them in the config file (readable by "
        + "you only).", "The token comes from --token, else BERTH_TOKEN, else a prompt that does not echo it."})
final class LoginCommand implements Callable<Integer> {
    @ParentCommand
    Berth root;
    @Option(names = "--server", required = true, paramLabel = "URL", description = "e.g. http://localhost:8080")
    String server;
    @Option(names = "--token", paramLabel = "TOKEN", description = "the bearer token (visible to ps: prefer "
            + "BERTH_TOKEN or the prompt)")
    String token;

    @Override
    public Integer call() {
        URI url = Config.serverUri(server);
        String t = token != null ? token : root.env.get("BERTH_TOKEN");
        if (t == null || t.isBlank()) t = prompt();
        if (t == null || t.isBlank()) throw Berth.CliException.usage("no token given");
        t = t.strip();
        // any role but AGENT may list jobs: a token that cannot is refused here rather than on first use
        new Api(new Config.Target(url, t)).get("/api/v1/jobs?size=1");
        Path file = Config.file(root.env);
        Config.save(file, url, t);
        root.out.println("logged in to " + url + "; server and token saved in " + file);
        return Berth.OK;
    }

    private String prompt() {
        Console console = System.console();
        if (console != null) {
            char[] secret = console.readPassword("Token: ");
            return secret == null ? null : new String(secret);
        }
        try {
            // not a terminal (a pipe): read one line, nothing is echoed anyway
            return new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        } catch (IOException e) {
            return null;
        }
    }
}
