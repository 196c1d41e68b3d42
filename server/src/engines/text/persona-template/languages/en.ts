// English frames of the persona template engine (slots and rules: ../frames.ts).
import type { Frames } from '../frames.ts';

export const enFrames: Frames = {
  openers: {
    reserved: ['Quick note.', 'Today, briefly.', 'Noted for the record.', 'A small update.', 'Plain and simple.', 'For what it is worth.'],
    friendly: ['Hey everyone!', 'Hi friends!', 'Okay, so.', 'Little update from me.', 'Good day, all.', 'Checking in.', 'So here we are.'],
    warm: ['Hello, lovely people!', 'Hi, you wonderful lot!', 'Sending you all a hug today.', 'Heart full, honestly.', 'You all make my day.', 'Hi, sunshine crew!', 'Grateful for you all.'],
  },
  flirtyOpeners: ['Well, hello there.', 'Look who stopped by.', 'Caught your eye?', 'Hi, you.', 'Guess who missed you?'],
  ideaLines: [
    '{Idea} — exactly what today needed.',
    'Today was all about {idea}.',
    '{Idea}. No notes.',
    'Currently: {idea}.',
    '{Idea}, and I would do it again tomorrow.',
    'Highlight of the week: {idea}.',
    'Some days are made for {idea}.',
    '{Idea} and a very good mood.',
    'Had to share this one: {idea}.',
    'Proof that {idea} fixes everything.',
  ],
  topicLines: [
    'You know me: {topic}, always.',
    'Still thinking about {topic}.',
    '{Topic} keeps me going.',
    'More {topic} coming soon.',
    'Never enough {topic}.',
    '{Topic} is my happy place.',
  ],
  traitLines: ['Staying {trait}, as always.', '{Trait} mode: on.', 'Feeling extra {trait} today.', 'Keeping it {trait}.', 'Call it my {trait} side.'],
  closers: {
    reserved: ['More soon.', 'That is all for now.', 'Until next time.', 'Back with more later.', 'Thoughts welcome.'],
    friendly: ['What are you up to today?', 'Tell me yours below!', 'Who else?', 'Have a good one!', 'Drop a comment if you agree.', 'Let me know what you think!'],
    warm: ['Love you all — take care of yourselves.', 'Tell me about your day, I want to know!', 'Sending good vibes your way.', 'You deserve a day like this too.', 'Thank you for being here, always.', 'Hugs to every one of you.'],
  },
  flirtyClosers: ['Don’t keep me waiting in the comments.', 'Your turn to make me smile.', 'I saw you looking.', 'Tell me something sweet.', 'You know where to find me — right here.'],
  noIdea: ['a slow, good day', 'the little things', 'today’s small wins', 'a fresh start', 'this moment'],
  altText: ['Photo of {name}: {idea}.', '{name} — {idea}.', 'A picture of {name}, {idea}.'],
  threadHooks: ['A few thoughts on {idea}.', 'Let’s talk about {idea}.', 'Everything I learned from {idea}.', 'Why {idea} matters to me.', 'Thread: {idea}, start to finish.'],
  threadEnds: {
    reserved: ['That is the gist. Questions welcome.', 'End of thread. More another day.', 'That is it for now.'],
    friendly: ['That’s it! What would you add?', 'Thanks for reading — tell me your take!', 'Over to you: what did I miss?'],
    warm: ['Thank you for reading this far — you’re the best.', 'Tell me your story too, I read every reply.', 'Sending love to everyone who made it to the end.'],
  },
  bio: [
    '{traits}. Here for {topics}.',
    '{name} · {topics} · {traits}.',
    '{traits} soul sharing {topics}.',
    'Talking {topics}. {traits}.',
    '{topics} — shared by a {traits} mind.',
  ],
  bioTails: {
    reserved: ['New posts weekly.', 'Notes and updates.', 'Posting regularly.'],
    friendly: ['Say hi!', 'Come along for the ride.', 'Glad you’re here.'],
    warm: ['Sending good vibes always.', 'So happy you found me.', 'Come be part of the family.'],
  },
  reply: {
    thanks: {
      reserved: ['Thank you, appreciated.', 'Thanks for the kind words.', 'Much appreciated.'],
      friendly: ['Thank you so much!', 'Aw, thanks — that’s nice of you!', 'Thanks, that made my day!'],
      warm: ['You are the sweetest, thank you!', 'This made me smile so big — thank you!', 'Thank you, truly — comments like this mean the world.'],
    },
    answer: {
      reserved: ['Good question. More on {topic} in a future post.', 'Fair question — I will cover it soon.', 'Noted. I will share more on that.'],
      friendly: ['Great question! I’ll share more about {topic} soon.', 'Ooh, good one — stay tuned for a post on that!', 'Ha, I get that a lot! More on {topic} coming.'],
      warm: ['Love that you asked! I’ll share more about {topic} very soon.', 'Such a good question — I’ll put together a post on it for you.', 'Aw, thanks for being curious! More on {topic} soon, promise.'],
    },
    meeting: [
      'That’s kind of you — I keep everything right here on my page, though.',
      'Thanks for asking! I only hang out here in the comments.',
      'Sweet of you, but I keep things online — see you in the comments!',
      'I appreciate it! Here is where you’ll always find me.',
    ],
    keepItFriendly: ['Let’s keep it friendly here, thanks.', 'I keep this space kind and friendly — thanks for understanding.', 'Not something I talk about here. Have a good day!'],
    general: {
      reserved: ['Thanks for commenting.', 'Appreciate you stopping by.', 'Thanks for reading.'],
      friendly: ['Thanks for stopping by!', 'Ha, love that — thanks for commenting!', 'Glad you’re here!'],
      warm: ['So happy to see you here!', 'Thank you for being part of this, really.', 'You made my day with this comment!'],
    },
    flirty: ['You’re making me blush.', 'Careful, I might get used to this.', 'Smooth. Very smooth.'],
  },
  video: {
    titles: ['{Idea}', '{Idea}: my take', 'A day of {idea}', '{Idea} in 30 seconds', 'Why I love {idea}'],
    hooks: ['POV: {idea}.', 'You need to see this: {idea}.', 'Wait for it — {idea}.', 'This is your sign: {idea}.', 'Nobody talks about {idea} enough.'],
    introVisuals: ['{name} talking to the camera, {idea} in the background', 'Wide shot setting the scene: {idea}', 'Handheld opening shot of {idea}'],
    topicVisuals: ['Close-ups: {topic}', 'B-roll of {topic}', 'Quick cuts showing {topic}'],
    outroVisuals: ['{name} smiling to the camera, text on screen: @{handle}', 'Slow fade-out, handle @{handle} on screen', 'Final shot of {name} waving, @{handle} in the corner'],
    outros: {
      reserved: ['That is it. More soon.', 'Follow for the next one.', 'Thanks for watching.'],
      friendly: ['Follow for more — and tell me yours in the comments!', 'That’s the video! What should I try next?', 'Save this for later and say hi below!'],
      warm: ['Thank you for watching — you’re the best!', 'Sending you all the good energy. See you in the comments!', 'Love you guys — tell me what you think!'],
    },
  },
  and: 'and',
  genericTags: ['instadaily', 'photooftheday', 'goodvibes', 'dailylife', 'instagood', 'creatorlife', 'mood', 'lifestyle', 'everydaymoments', 'today'],
  stopwords: [
    'a', 'an', 'the', 'and', 'or', 'but', 'of', 'to', 'in', 'on', 'at', 'by', 'for', 'with', 'from', 'into', 'over', 'about', 'my', 'your', 'our', 'their', 'his',
    'her', 'its', 'this', 'that', 'these', 'those', 'is', 'are', 'was', 'were', 'be', 'been', 'am', 'i', 'me', 'we', 'you', 'it', 'they', 'some', 'any', 'very',
    'just', 'so', 'too', 'as', 'up', 'out', 'new', 'after', 'before', 'while', 'during', 'then', 'than', 'what', 'when', 'where', 'who', 'how', 'why', 'all',
  ],
  cues: {
    compliment: ['love', 'beautiful', 'gorgeous', 'amazing', 'awesome', 'great', 'nice', 'cute', 'pretty', 'stunning', 'wow', 'best', 'incredible', 'lovely', 'perfect', 'fire', 'queen', 'king', '❤', '😍', '🔥', '👏', '💯'],
    question: ['what', 'how', 'why', 'where', 'when', 'which', 'who', 'do you', 'are you', 'can you', 'is it', 'did you', 'would you'],
    meeting: ['meet', 'date', 'dinner', 'drink', 'coffee with', 'hang out', 'call me', 'phone', 'number', 'whatsapp', 'telegram', 'snap', 'dm me', 'message me', 'address', 'in person', 'irl', 'come over', 'visit you'],
  },
};
