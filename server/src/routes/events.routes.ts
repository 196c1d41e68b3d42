// Server-sent events: one authenticated stream per tab. Events come from the EventBus
// (Postgres NOTIFY), so changes made by a worker process arrive here too.
import type { AppContext } from '../context.ts';
import { sessionOf, userRoute, type App } from '../http/kit.ts';

export async function eventRoutes(app: App, ctx: AppContext) {
  app.get('/api/events', {
    ...userRoute,
    schema: { tags: ['events'], summary: 'Live updates (text/event-stream): character.updated, character.deleted, photo.updated, photo.deleted, asset.updated, asset.deleted, folder.deleted' },
  }, async (req, reply) => {
    const session = sessionOf(req);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: 3000\nevent: ready\ndata: {"userId":"${session.user.id}"}\n\n`);
    const unsubscribe = ctx.events.subscribe(session.user.id, (event) => {
      res.write(`event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`);
    });
    const ping = setInterval(() => res.write(': ping\n\n'), 25_000);
    const close = () => {
      clearInterval(ping);
      unsubscribe();
      ctx.sse.delete(res);
    };
    ctx.sse.add(res);
    req.raw.on('close', close);
  });
}
