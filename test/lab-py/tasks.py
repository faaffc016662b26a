# The lab's recent tasks as vCenter's TaskManager lists them: name (descriptionId), target, state and the queue, start
# and completion times (ISO, milliseconds), for checks of what ran while what.
# Input (stdin JSON): lab.json fields. Output: one JSON line {"tasks": [...]}, oldest first.
from labclient import connect, done, read_input

inp = read_input()
si = connect(inp)
content = si.RetrieveContent()


def iso(t):
    return t.isoformat() if t is not None else None


out = []
for task in content.taskManager.recentTask:
    i = task.info
    out.append({"task": i.key, "name": i.descriptionId, "entity": i.entity._moId if i.entity else None, "state": i.state,
                "queued": iso(i.queueTime), "started": iso(i.startTime), "completed": iso(i.completeTime)})
out.sort(key=lambda r: r["queued"] or "")
done({"tasks": out})
