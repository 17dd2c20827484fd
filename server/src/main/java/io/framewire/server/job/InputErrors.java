package io.framewire.server.job;

/**
 * What went wrong with a job's input while it decoded, for the result's {@code input_errors}.
 *
 * @param framesConcealed     frames FFmpeg decoded with errors it concealed (damaged packets): processed, but not
 *                            as the input's author made them.
 * @param firstConcealedFrame the first of those, -1 when none.
 * @param timestampsRepaired  frames whose timestamp was missing or not after the previous one's, given the next
 *                            valid one (AVI's last frames, packed B-frames).
 * @param stopped             why frames of the input are missing (decoding stopped early, or the input ends before
 *                            its container says it does), or null when it decoded to its end.
 */
public record InputErrors(long framesConcealed, long firstConcealedFrame, long timestampsRepaired, String stopped)
{
    /** Whether every frame of the input was decoded (some perhaps concealed). */
    public boolean complete()
    {
        return stopped == null;
    }

    /** Whether there is anything to report. */
    public boolean any()
    {
        return framesConcealed > 0 || timestampsRepaired > 0 || stopped != null;
    }
}
