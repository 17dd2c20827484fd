package io.framewire.worker;

import io.framewire.worker.filter.FilterChain;
import io.framewire.worker.filter.FilterSpecException;
import io.framewire.worker.filter.Pipeline;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The filter chains of the jobs a worker has seen lately, keyed by job id and pipeline text. Every task names its
 * pipeline, so any worker can take any frame; the chain is parsed and built once per job and reused, and a task
 * matching the cached text costs a byte comparison. The least recently built chain is closed when a new one is
 * needed and all slots are taken.
 */
final class PipelineCache implements AutoCloseable
{
    private static final int CAPACITY = 8;

    private final long[] jobIds = new long[CAPACITY];
    private final byte[][] specs = new byte[CAPACITY][];
    private final FilterChain[] chains = new FilterChain[CAPACITY];
    private final FilterChain.Factory factory;
    private int next;

    /** @param factory makes a chain for a pipeline: the CPU filters, or the GPU worker's CUDA ones. */
    PipelineCache(final FilterChain.Factory factory)
    {
        this.factory = factory;
    }

    FilterChain chainFor(final long jobId, final byte[] spec, final int length) throws FilterSpecException
    {
        for (int i = 0; i < CAPACITY; i++)
        {
            if (chains[i] != null && jobIds[i] == jobId &&
                Arrays.equals(specs[i], 0, specs[i].length, spec, 0, length))
            {
                return chains[i];
            }
        }
        final FilterChain chain = factory.build(Pipeline.parse(new String(spec, 0, length, StandardCharsets.UTF_8)));
        if (chains[next] != null)
        {
            chains[next].close();
        }
        jobIds[next] = jobId;
        specs[next] = Arrays.copyOf(spec, length);
        chains[next] = chain;
        next = (next + 1) % CAPACITY;
        return chain;
    }

    @Override
    public void close()
    {
        for (int i = 0; i < CAPACITY; i++)
        {
            if (chains[i] != null)
            {
                chains[i].close();
                chains[i] = null;
            }
        }
    }
}
