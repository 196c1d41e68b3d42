import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { appearanceAttributesSchema, personaSchema } from '../src/schemas/character.schemas.ts';
import { languageName, personaScales, scaleBand } from '../src/schemas/persona-scale.ts';
import { buildImagePrompt } from '../src/services/prompt-builder.ts';
import { createTestApp, signUp, validCharacter, type TestApp, type TestUser } from './harness.ts';

const defaultPersona = personaSchema.parse({});
const emptyAttributes = appearanceAttributesSchema.parse({});

let t: TestApp;
let u: TestUser;
beforeAll(async () => {
  t = await createTestApp();
  u = await signUp(t);
});
afterAll(async () => { await t?.close(); });

const call = (method: string, url: string, payload?: unknown, user: TestUser = u) =>
  t.app.inject({ method: method as 'GET', url, payload: payload as object, headers: { cookie: user.cookie } });
const create = async (over: Record<string, unknown> = {}, user: TestUser = u) => {
  const res = await call('POST', '/api/characters', validCharacter(over), user);
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
};

describe('create', () => {
  test('only name, handle and age are needed; the rest gets sensible defaults', async () => {
    const c = await create({ handle: '@Nova.Star' });
    expect(c).toMatchObject({ status: 'active', handle: 'nova.star', timezone: 'UTC', activeHours: { start: '09:00', end: '22:00' } });
    expect(c.persona).toMatchObject({ language: 'en', warmth: 0.6, flirtLevel: 0, emojiUsage: 'rare' });
    expect(c.persona.disclosureLine).not.toBe('');
    expect(c.appearance.variations).toEqual([]);
    expect(c.counts).toEqual({ referencePhotos: 0, variations: 0 });
    const again = (await call('GET', `/api/characters/${c.id}`)).json();
    expect(again).toEqual(c);
  });

  test.each([
    [{ age: 17 }, 'age', /18 or older/],
    [{ age: 16.5 }, 'age', /whole number/],
    [{ age: '25' }, 'age', /number/],
    [{ name: '' }, 'name', /required/],
    [{ handle: 'has space' }, 'handle', /letters, digits/],
    [{ timezone: 'Mars/Olympus' }, 'timezone', /IANA time zone/],
    [{ activeHours: { start: '25:00', end: '22:00' } }, 'activeHours', /time like 09:00/],
    [{ persona: { warmth: 1.5 } }, 'persona', /between 0 and 1/],
    [{ persona: { language: 'English!!' } }, 'persona', /language code/],
    [{ appearance: { variations: [{ id: 'a', name: 'Same' }, { id: 'b', name: 'same' }] } }, 'appearance', /duplicate variation/],
  ])('invalid %j → 400 that names the field', async (over, field, message) => {
    const res = await call('POST', '/api/characters', validCharacter(over));
    expect(res.statusCode).toBe(400);
    const err = res.json().error;
    expect(err.code).toBe('validation_failed');
    expect(err.details.some((d: { path: string[]; message: string }) => d.path[0] === field && message.test(d.message))).toBe(true);
  });

  test('malformed JSON → 400 with a readable message, nothing stored', async () => {
    const before = (await call('GET', '/api/characters')).json().total;
    const res = await t.app.inject({ method: 'POST', url: '/api/characters', payload: '{"name": "x",', headers: { cookie: u.cookie, 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toBe('The request body is not valid JSON.');
    expect((await call('GET', '/api/characters')).json().total).toBe(before);
  });

  test('names and handles are unique per user (case-insensitive) but not across users', async () => {
    const c = await create({ name: 'Unique Uma', handle: 'unique_uma' });
    const dupName = await call('POST', '/api/characters', validCharacter({ name: 'unique UMA' }));
    expect(dupName.statusCode).toBe(409);
    expect(dupName.json().error).toMatchObject({ details: { field: 'name' } });
    const dupHandle = await call('POST', '/api/characters', validCharacter({ handle: 'UNIQUE_uma' }));
    expect(dupHandle.statusCode).toBe(409);
    expect(dupHandle.json().error.details.field).toBe('handle');
    const other = await signUp(t);
    await create({ name: 'Unique Uma', handle: 'unique_uma' }, other);
    // renaming into a taken name is a conflict too
    const second = await create();
    const rename = await call('PATCH', `/api/characters/${second.id}`, { handle: 'unique_uma' });
    expect(rename.statusCode).toBe(409);
    expect((await call('GET', `/api/characters/${c.id}`)).json().handle).toBe('unique_uma');
  });
});

describe('edit', () => {
  test('partial updates change only what was sent', async () => {
    const c = await create({ bio: 'old bio', location: 'Berlin' });
    const res = await call('PATCH', `/api/characters/${c.id}`, {
      bio: 'new bio',
      persona: { ...c.persona, traits: ['witty'], warmth: 0.9 },
      appearance: { ...c.appearance, variations: [{ id: 'gym', name: 'Gym', clothing: ['tank top'], setting: 'gym' }] },
    });
    expect(res.statusCode).toBe(200);
    const after = res.json();
    expect(after).toMatchObject({ bio: 'new bio', location: 'Berlin', persona: { traits: ['witty'], warmth: 0.9 } });
    expect(after.counts.variations).toBe(1);
    expect(new Date(after.updatedAt) >= new Date(c.updatedAt)).toBe(true);
  });

  test('an empty update or an under-age edit is refused', async () => {
    const c = await create();
    expect((await call('PATCH', `/api/characters/${c.id}`, {})).statusCode).toBe(400);
    const res = await call('PATCH', `/api/characters/${c.id}`, { age: 15 });
    expect(res.statusCode).toBe(400);
    expect((await call('GET', `/api/characters/${c.id}`)).json().age).toBe(c.age);
  });

  test('unknown or malformed ids → 404 / 400', async () => {
    expect((await call('GET', '/api/characters/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    expect((await call('GET', '/api/characters/not-a-uuid')).statusCode).toBe(400);
  });
});

describe('status', () => {
  test('pause, resume, archive, unarchive follow the allowed transitions', async () => {
    const c = await create();
    const st = async (action: string) => call('POST', `/api/characters/${c.id}/status`, { action });
    expect((await st('pause')).json().status).toBe('paused');
    expect((await st('pause')).json().status).toBe('paused'); // idempotent
    expect((await st('resume')).json().status).toBe('active');
    expect((await st('archive')).json().status).toBe('archived');
    const resume = await st('resume');
    expect(resume.statusCode).toBe(409);
    expect(resume.json().error.message).toBe('A archived character cannot be resumed.');
    expect((await st('unarchive')).json().status).toBe('paused');
    expect((await st('explode')).statusCode).toBe(400);
  });

  test('bulk pause/resume/delete report what changed and what was skipped', async () => {
    const a = await create();
    const b = await create();
    const c = await create();
    await call('POST', `/api/characters/${c.id}/status`, { action: 'archive' });
    const missing = '00000000-0000-4000-8000-000000000001';
    const pause = (await call('POST', '/api/characters/bulk', { ids: [a.id, b.id, c.id, missing], action: 'pause' })).json();
    expect(pause.updated.sort()).toEqual([a.id, b.id].sort());
    expect(pause.skipped).toEqual(expect.arrayContaining([{ id: missing, reason: 'not found' }, { id: c.id, reason: 'a archived character cannot be paused' }]));
    const resume = (await call('POST', '/api/characters/bulk', { ids: [a.id], action: 'resume' })).json();
    expect(resume.updated).toEqual([a.id]);
    const del = (await call('POST', '/api/characters/bulk', { ids: [a.id, b.id], action: 'delete' })).json();
    expect(del.updated.sort()).toEqual([a.id, b.id].sort());
    expect((await call('GET', `/api/characters/${a.id}`)).statusCode).toBe(404);
    expect((await call('POST', '/api/characters/bulk', { ids: [], action: 'pause' })).statusCode).toBe(400);
    expect((await call('POST', '/api/characters/bulk', { ids: [a.id], action: 'nuke' })).statusCode).toBe(400);
  });

  test('delete removes the character for good', async () => {
    const c = await create();
    expect((await call('DELETE', `/api/characters/${c.id}`)).statusCode).toBe(200);
    expect((await call('GET', `/api/characters/${c.id}`)).statusCode).toBe(404);
    expect((await call('DELETE', `/api/characters/${c.id}`)).statusCode).toBe(404);
  });
});

describe('dashboard list', () => {
  test('filters by status, searches by name or handle, sorts and pages, with real counts', async () => {
    const owner = await signUp(t);
    const names = ['Zara Quill', 'Amos Reed', 'Mira Lux', 'mira dawn'];
    const made = [];
    for (const n of names) made.push(await create({ name: n, handle: n.toLowerCase().replace(' ', '_') }, owner));
    await call('POST', `/api/characters/${made[1].id}/status`, { action: 'pause' }, owner);
    const list = async (qs: string) => (await call('GET', `/api/characters?${qs}`, undefined, owner)).json();

    const all = await list('');
    expect(all.total).toBe(4);
    expect(all.items.map((c: { name: string }) => c.name)).toEqual([...names].reverse()); // newest first
    expect(all.statusCounts).toEqual({ active: 3, paused: 1 });
    expect(all.items[0].counts).toEqual({ referencePhotos: 0, variations: 0 });

    expect((await list('status=paused')).items.map((c: { name: string }) => c.name)).toEqual(['Amos Reed']);
    expect((await list('q=MIRA')).total).toBe(2);
    expect((await list('q=zara_q')).items[0].name).toBe('Zara Quill');
    expect((await list('q=%25')).total).toBe(0); // wildcard characters are literal
    expect((await list('sort=name')).items.map((c: { name: string }) => c.name)).toEqual(['Amos Reed', 'mira dawn', 'Mira Lux', 'Zara Quill']);
    const page = await list('sort=name&limit=2&offset=2');
    expect(page.items.map((c: { name: string }) => c.name)).toEqual(['Mira Lux', 'Zara Quill']);
    expect(page.total).toBe(4);
    expect((await list('sort=name&limit=2&offset=10')).total).toBe(4);
    expect((await call('GET', '/api/characters?limit=0', undefined, owner)).statusCode).toBe(400);
    expect((await call('GET', '/api/characters?status=sleeping', undefined, owner)).statusCode).toBe(400);
  });
});

describe('personas and prompts', () => {
  test('at least 8 distinct, complete persona templates', async () => {
    const items = (await call('GET', '/api/persona-templates')).json().items as Array<Record<string, any>>;
    expect(items.length).toBeGreaterThanOrEqual(8);
    expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
    expect(new Set(items.map((i) => i.persona.tone)).size).toBe(items.length);
    for (const i of items) {
      expect(i.persona.traits.length).toBeGreaterThanOrEqual(3);
      expect(i.persona.tabooTopics.length).toBeGreaterThan(0);
      expect(i.persona.communicationStyle.length).toBeGreaterThan(40);
      expect(i.suggestedBio.length).toBeGreaterThan(20);
    }
    // a template persona is a valid persona for a new character
    const c = await create({ persona: items[0].persona });
    expect(c.persona.templateId).toBe(items[0].id);
  });

  test('export as prompt reflects the persona and each appearance variation', async () => {
    const c = await create({
      name: 'Lena Vale', age: 31, location: 'Vienna', interests: ['opera'],
      persona: { traits: ['witty', 'kind'], tone: 'dry humour', tabooTopics: ['politics'], emojiUsage: 'none', hashtagStyle: 'none', disclosureLine: 'Virtual AI persona.', warmth: 0.1, flirtLevel: 0 },
      appearance: {
        attributes: { hairColor: 'auburn', eyeColor: 'grey', ageLook: 'early 30s' },
        style: { clothing: ['trench coat'], settings: ['rainy street'], aesthetics: ['film noir'] },
        variations: [{ id: 'gala', name: 'Gala', clothing: ['black evening gown'], setting: 'opera house foyer', overrides: { hairStyle: 'updo' } }],
      },
    });
    const p = (await call('GET', `/api/characters/${c.id}/prompt`)).json();
    expect(p.systemPrompt).toContain('You are Lena Vale');
    expect(p.systemPrompt).toContain('witty, kind');
    expect(p.systemPrompt).toContain('Never discuss or joke about: politics');
    expect(p.systemPrompt).toContain('Never use emoji.');
    expect(p.systemPrompt).toContain('Virtual AI persona.');
    expect(p.systemPrompt).toMatch(/reserved/);
    expect(p.imagePrompt).toContain('auburn hair');
    expect(p.imagePrompt).toContain('trench coat');
    expect(p.imagePrompt).toContain('an adult (early 30s)');
    expect(p.negativePrompt).toMatch(/minor/);
    expect(p.variations).toHaveLength(1);
    expect(p.variations[0].imagePrompt).toContain('black evening gown');
    expect(p.variations[0].imagePrompt).toContain('auburn updo hair');
    expect(p.variations[0].imagePrompt).not.toContain('trench coat');
  });

  test('an apparent age that is not clearly adult is refused where it was typed (create, preview, edit)', async () => {
    const paths = (res: { json: () => { error: { details: { path: (string | number)[]; message: string }[] } } }) =>
      res.json().error.details.map((d) => d.path.join('.'));
    for (const url of ['/api/characters', '/api/prompt-preview']) {
      for (const ageLook of ['teen', 'looks 16', 'petite schoolgirl', 'youthful']) {
        const res = await call('POST', url, validCharacter({ appearance: { attributes: { ageLook } } }));
        expect(res.statusCode, `${url} ${ageLook}`).toBe(400);
        expect(res.json().error.code).toBe('validation_failed');
        expect(paths(res)).toEqual(['appearance.attributes.ageLook']);
        expect(res.json().error.details[0].message).toMatch(/adult/);
      }
    }
    const teen = await call('POST', '/api/characters', validCharacter({ appearance: { attributes: { ageLook: 'teen' } } }));
    expect(teen.json().error.details[0].message).toMatch(/"teen" does not describe an adult/);

    // a variation's override is checked too, and its path points at it
    const c = await create({ appearance: { attributes: { ageLook: 'mid-20s' } } });
    const res = await call('PATCH', `/api/characters/${c.id}`, {
      appearance: { ...c.appearance, variations: [{ id: 'prom', name: 'Prom', overrides: { ageLook: '17' } }] },
    });
    expect(res.statusCode).toBe(400);
    expect(paths(res)).toEqual(['appearance.variations.0.overrides.ageLook']);
    expect(res.json().error.details[0].message).toMatch(/17 is under 18/);
    expect((await call('GET', `/api/characters/${c.id}`)).json().appearance.variations).toEqual([]);

    // clearly adult looks pass, and an empty one uses the real age
    for (const ageLook of ['mid-20s', 'early 30s', 'middle-aged', 'mature', '45', 'young adult']) {
      const ok = await call('POST', '/api/prompt-preview', validCharacter({ age: 40, appearance: { attributes: { ageLook } } }));
      expect(ok.statusCode, ageLook).toBe(200);
      expect(ok.json().imagePrompt).toContain(`an adult (${ageLook})`);
    }
    const empty = await call('POST', '/api/prompt-preview', validCharacter({ age: 22 }));
    expect(empty.json().imagePrompt).toContain('an adult (22 years old)');
  });

  test('a look stored before the rule still becomes the real adult age in prompts', () => {
    const prompt = buildImagePrompt({
      name: 'Old Row', handle: 'old_row', bio: '', age: 22, location: '', interests: [],
      persona: { ...defaultPersona },
      appearance: { attributes: { ...emptyAttributes, ageLook: 'teen' }, style: { clothing: [], settings: [], aesthetics: [] }, variations: [] },
    });
    expect(prompt).toContain('an adult (22 years old)');
    expect(prompt).not.toContain('teen');
  });

  test('the prompt uses the words the UI shows: the same warmth and flirt bands, the language by name', async () => {
    const c = await create({ persona: { warmth: 0.6, flirtLevel: 0.1, language: 'pt-BR' } });
    const p = (await call('GET', `/api/characters/${c.id}/prompt`)).json().systemPrompt as string;
    // the UI labels a 0.10 flirt level "subtle" (scaleBand): the prompt must not say "none"
    expect(scaleBand('flirtLevel', 0.1).label).toBe('subtle');
    expect(p).toContain('Flirtatiousness: subtle (0.10 on a 0–1 scale)');
    expect(p).not.toMatch(/platonic/);
    expect(p).toContain(`Warmth: ${scaleBand('warmth', 0.6).label} (0.60 on a 0–1 scale)`);
    expect(p).toContain('Write in Brazilian Portuguese.');
    expect(p).not.toMatch(/pt-BR/);
    const none = await create({ persona: { flirtLevel: 0, language: 'en' } });
    const q = (await call('GET', `/api/characters/${none.id}/prompt`)).json().systemPrompt as string;
    expect(q).toContain('Flirtatiousness: never (0.00 on a 0–1 scale): none; stay strictly platonic.');
    expect(q).toContain('Write in English.');
  });

  test('every band of a scale has a label; bands cover 0 to 1 in order', () => {
    for (const bands of Object.values(personaScales)) {
      expect(bands.at(-1)!.upTo).toBe(1);
      for (let i = 1; i < bands.length; i++) expect(bands[i]!.upTo).toBeGreaterThan(bands[i - 1]!.upTo);
      for (const b of bands) expect(b.label.length).toBeGreaterThan(2);
    }
    expect(languageName('de')).toBe('German');
    expect(languageName('xx')).toBeNull();
    expect(languageName('English!!')).toBeNull();
  });
});

describe('prompt screening before generation', () => {
  test('a character whose image prompts pair sexual and minor terms is refused on create and preview; nothing is stored', async () => {
    const before = (await call('GET', '/api/characters')).json().total;
    const unsafe = validCharacter({
      name: 'Screened Sam', handle: 'screened_sam',
      appearance: {
        attributes: { distinctiveFeatures: 'childlike face' },
        variations: [{ id: 'beach', name: 'Beach', description: 'nude on the beach' }],
      },
    });
    for (const url of ['/api/characters', '/api/prompt-preview']) {
      const res = await call('POST', url, unsafe);
      expect(res.statusCode, url).toBe(422);
      const err = res.json().error;
      expect(err.code).toBe('unsafe_prompt');
      expect(err.message).toMatch(/variation "Beach" pairs sexual terms \(nude\) with minor-related terms \(childlike\)/);
      expect(err.details).toMatchObject({ where: 'the variation "Beach"', sexualTerms: ['nude'], minorTerms: ['childlike'] });
    }
    expect((await call('GET', '/api/characters')).json().total).toBe(before);
    // each half alone is allowed: the base look keeps "childlike face", the variation is an adult nude
    const ok = await call('POST', '/api/prompt-preview', validCharacter({ appearance: { attributes: { distinctiveFeatures: 'childlike face' } } }));
    expect(ok.statusCode).toBe(200);
  });

  test('the parts are also read together: a school year in the bio and lingerie in a look are refused', async () => {
    const unsafe = validCharacter({
      bio: 'Lena is in 9th grade and loves horses.',
      appearance: { variations: [{ id: 'night', name: 'Night', clothing: ['black lingerie'] }] },
    });
    const res = await call('POST', '/api/prompt-preview', unsafe);
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'unsafe_prompt', details: { where: 'the character as a whole', sexualTerms: ['lingerie'], minorTerms: ['grade 9'] } });
    expect(res.json().error.message).toMatch(/"grade 9" in "the bio and persona"/);
    // the same look for an adult bio is fine
    const ok = await call('POST', '/api/prompt-preview', { ...unsafe, bio: 'Lena teaches riding and loves horses.' });
    expect(ok.statusCode).toBe(200);
  });

  test('an edit is screened together with what is already saved, and a refused edit changes nothing', async () => {
    const c = await create({ name: 'Cosplay Cleo', handle: 'cosplay_cleo', interests: ['schoolgirl cosplay'] });
    const res = await call('PATCH', `/api/characters/${c.id}`, { persona: { ...c.persona, topics: ['nude photography'] } });
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({ code: 'unsafe_prompt', details: { where: 'the bio and persona' } });
    expect((await call('GET', `/api/characters/${c.id}`)).json().persona.topics).toEqual(c.persona.topics);
    // the same topic on a character without the minor-related interest is fine
    const fine = await create({ name: 'Studio Stella', handle: 'studio_stella', interests: ['film cameras'] });
    expect((await call('PATCH', `/api/characters/${fine.id}`, { persona: { ...fine.persona, topics: ['nude photography'] } })).statusCode).toBe(200);
  });
});
