# deadlock: main waits on a channel that nobody will ever send on, while a worker blocks on a
# mutex that main holds. Shows Go's "fatal error: all goroutines are asleep - deadlock!" with the
# goroutine dump (each G's wait reason and its workload frames), exit status 2.

async def worker(rt, mu, done):
    await mu.lock()          # main holds mu and never unlocks it
    await done.send(True)


async def main(rt):
    mu = rt.Mutex()
    done = rt.chan(0)
    await mu.lock()
    rt.go(worker, rt, mu, done)
    await done.recv()        # nobody can send: deadlock
