package io.framewire.server;

import io.framewire.server.access.TokenFile;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code framewire token new NAME}: a new client token, and the line that admits it in an --auth-tokens file. */
@Command(name = "token", mixinStandardHelpOptions = true,
    description = "Make a client token: give the token to the client (--token or FRAMEWIRE_TOKEN) and append the " +
        "line to the server's --auth-tokens file (the server reads it again by itself).")
public final class TokenMain implements Callable<Integer>
{
    @Parameters(index = "0", description = "new", paramLabel = "new")
    String verb;

    @Parameters(index = "1", description = "the client's name, as the server's log will say it", paramLabel = "NAME")
    String name;

    public static void main(final String[] args)
    {
        System.exit(new CommandLine(new TokenMain()).execute(args));
    }

    @Override
    public Integer call()
    {
        if (!"new".equals(verb))
        {
            System.err.println("framewire token: unknown '" + verb + "'; usage: ./framewire token new NAME");
            return 2;
        }
        if (!name.matches("[A-Za-z0-9._@-]{1,64}"))
        {
            System.err.println("framewire token: NAME is 1-64 letters, digits or . _ @ -");
            return 2;
        }
        final String[] made = TokenFile.newToken(name);
        System.out.println("token for " + name + " (give it to the client; it is shown only now):");
        System.out.println("  " + made[0]);
        System.out.println("line for the server's --auth-tokens file:");
        System.out.println("  " + made[1]);
        return 0;
    }
}
