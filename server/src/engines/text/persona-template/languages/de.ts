// German frames of the persona template engine (slots and rules: ../frames.ts).
import type { Frames } from '../frames.ts';

export const deFrames: Frames = {
  openers: {
    reserved: ['Kurze Notiz.', 'Heute, kurz gefasst.', 'Ein kleines Update.', 'Schlicht und einfach.', 'Nur zur Info.'],
    friendly: ['Hallo zusammen!', 'Hi ihr Lieben!', 'Also, los geht’s.', 'Kleines Update von mir.', 'Guten Tag euch allen!', 'Ich melde mich kurz.'],
    warm: ['Hallo, ihr Wundervollen!', 'Eine dicke Umarmung an euch alle.', 'Das Herz ist voll, ehrlich.', 'Ihr macht meinen Tag.', 'Danke, dass ihr da seid.'],
  },
  flirtyOpeners: ['Na, hallo.', 'Schau mal, wer vorbeikommt.', 'Aufgefallen?', 'Hi, du.'],
  ideaLines: [
    '{Idea} – genau das, was heute gefehlt hat.',
    'Heute ganz im Zeichen von: {idea}.',
    '{Idea}. Mehr muss man nicht sagen.',
    'Gerade: {idea}.',
    '{Idea} – und morgen gern wieder.',
    'Highlight der Woche: {idea}.',
    'Manche Tage sind dafür gemacht: {idea}.',
    '{Idea} und richtig gute Laune.',
    'Das musste ich teilen: {idea}.',
  ],
  topicLines: ['Ihr kennt mich: {topic}, immer.', 'Ich denke noch an: {topic}.', '{Topic} – das treibt mich an.', 'Bald mehr zu: {topic}.', '{Topic}: nie genug.', '{Topic} ist mein Glücksort.'],
  traitLines: ['{Trait}-Modus: an.', '{Trait}, wie immer.', 'Heute besonders {trait}.', 'Meine {trait} Seite in Aktion.'],
  closers: {
    reserved: ['Bald mehr.', 'Das war’s fürs Erste.', 'Bis zum nächsten Mal.', 'Meinungen willkommen.'],
    friendly: ['Was macht ihr heute?', 'Erzählt es mir in den Kommentaren!', 'Wer noch?', 'Habt einen schönen Tag!', 'Was meint ihr?'],
    warm: ['Hab euch lieb – passt auf euch auf.', 'Erzählt mir von eurem Tag, ich will alles wissen!', 'Ich schicke euch gute Vibes.', 'Ihr habt auch so einen Tag verdient.', 'Danke, dass ihr immer da seid.'],
  },
  flirtyClosers: ['Lass mich in den Kommentaren nicht warten.', 'Jetzt bist du dran, mich zum Lächeln zu bringen.', 'Ich hab gesehen, dass du schaust.', 'Sag mir was Nettes.'],
  noIdea: ['ein ruhiger, guter Tag', 'die kleinen Dinge', 'die kleinen Erfolge von heute', 'ein Neuanfang', 'dieser Moment'],
  altText: ['Foto von {name}: {idea}.', '{name} – {idea}.', 'Bild von {name}: {idea}.'],
  threadHooks: ['Ein paar Gedanken zu: {idea}.', 'Reden wir über: {idea}.', 'Was ich gelernt habe: {idea}.', 'Warum mir das wichtig ist: {idea}.'],
  threadEnds: {
    reserved: ['Das ist das Wesentliche. Fragen willkommen.', 'Ende des Threads.', 'Das war’s fürs Erste.'],
    friendly: ['Das war’s! Was würdet ihr ergänzen?', 'Danke fürs Lesen – sagt mir eure Meinung!', 'Jetzt ihr: Was fehlt noch?'],
    warm: ['Danke, dass ihr bis hier gelesen habt – ihr seid die Besten.', 'Erzählt mir auch eure Geschichte, ich lese jede Antwort.', 'Ganz viel Liebe an alle, die bis zum Ende gelesen haben.'],
  },
  bio: ['{traits}. Hier für {topics}.', '{name} · {topics} · {traits}.', 'Über {topics}. {traits}.', '{topics} – geteilt mit {traits} Herz.'],
  bioTails: {
    reserved: ['Neue Beiträge jede Woche.', 'Notizen und Neuigkeiten.'],
    friendly: ['Sag hallo!', 'Komm mit auf die Reise.', 'Schön, dass du da bist.'],
    warm: ['Immer mit guten Vibes.', 'So schön, dass du mich gefunden hast.', 'Willkommen in der Familie.'],
  },
  reply: {
    thanks: {
      reserved: ['Danke, sehr nett.', 'Danke für die freundlichen Worte.'],
      friendly: ['Vielen Dank!', 'Oh, danke – wie lieb!', 'Danke, das hat meinen Tag gemacht!'],
      warm: ['Du bist so lieb, danke!', 'Das hat mich so zum Lächeln gebracht – danke!', 'Von Herzen danke, solche Kommentare bedeuten mir viel.'],
    },
    answer: {
      reserved: ['Gute Frage. Mehr zu {topic} in einem späteren Beitrag.', 'Berechtigte Frage, dazu bald mehr.'],
      friendly: ['Gute Frage! Bald teile ich mehr zu {topic}.', 'Oh, gute Frage – dazu kommt bald ein Beitrag!'],
      warm: ['Schön, dass du fragst! Bald gibt es mehr zu {topic}.', 'So eine gute Frage – ich mache einen Beitrag nur dafür.'],
    },
    meeting: ['Das ist nett, aber ich teile alles hier auf meiner Seite.', 'Danke der Nachfrage! Mich gibt es nur hier in den Kommentaren.', 'Lieb gemeint, aber ich bleibe online. Wir lesen uns in den Kommentaren!'],
    keepItFriendly: ['Lass uns hier freundlich bleiben, danke.', 'Hier geht es freundlich und respektvoll zu – danke für dein Verständnis.', 'Darüber spreche ich hier nicht. Schönen Tag noch!'],
    general: {
      reserved: ['Danke für den Kommentar.', 'Danke fürs Vorbeischauen.'],
      friendly: ['Danke fürs Vorbeischauen!', 'Liebe ich – danke für den Kommentar!', 'Schön, dich hier zu sehen!'],
      warm: ['Wie schön, dich hier zu sehen!', 'Danke, dass du dabei bist, wirklich.', 'Dein Kommentar hat meinen Tag gemacht!'],
    },
    flirty: ['Du bringst mich zum Erröten.', 'Vorsicht, daran könnte ich mich gewöhnen.', 'Charmant, sehr charmant.'],
  },
  video: {
    titles: ['{Idea}', '{Idea}: meine Version', '{Idea} in 30 Sekunden', 'Warum ich es liebe: {idea}'],
    hooks: ['POV: {idea}.', 'Das musst du sehen: {idea}.', 'Warte ab: {idea}.', 'Das ist dein Zeichen: {idea}.'],
    introVisuals: ['{name} spricht in die Kamera, im Hintergrund: {idea}', 'Totale, die die Szene zeigt: {idea}', 'Handkamera-Eröffnung: {idea}'],
    topicVisuals: ['Nahaufnahmen: {topic}', 'B-Roll: {topic}', 'Schnelle Schnitte: {topic}'],
    outroVisuals: ['{name} lächelt in die Kamera, Text im Bild: @{handle}', 'Langsame Abblende, @{handle} im Bild', '{name} winkt, @{handle} in der Ecke'],
    outros: {
      reserved: ['Das war’s. Bald mehr.', 'Folgt mir für das nächste Video.', 'Danke fürs Zuschauen.'],
      friendly: ['Folgt mir für mehr und erzählt mir eure Version in den Kommentaren!', 'Das war das Video! Was soll ich als Nächstes ausprobieren?'],
      warm: ['Danke fürs Zuschauen – ihr seid die Besten!', 'Ich schicke euch ganz viel gute Energie. Wir lesen uns in den Kommentaren!'],
    },
  },
  and: 'und',
  genericTags: ['fotodestages', 'goodvibes', 'alltag', 'lebensstil', 'instadaily', 'momente', 'heute', 'creatorin'],
  stopwords: [
    'der', 'die', 'das', 'den', 'dem', 'des', 'ein', 'eine', 'einen', 'einem', 'und', 'oder', 'aber', 'von', 'zu', 'zum', 'zur', 'in', 'im', 'an', 'am', 'auf',
    'mit', 'ohne', 'für', 'über', 'bei', 'mein', 'meine', 'dein', 'sein', 'ihr', 'ist', 'sind', 'war', 'ich', 'wir', 'du', 'es', 'sehr', 'noch', 'nach', 'vor',
  ],
  cues: {
    compliment: ['liebe', 'wunderschön', 'schön', 'hübsch', 'toll', 'super', 'genial', 'unglaublich', 'perfekt', 'wow', 'die beste', 'der beste', 'mega', '❤', '😍', '🔥', '👏'],
    question: ['was', 'wie', 'warum', 'wo', 'wann', 'welche', 'welcher', 'wer', 'kannst du', 'hast du', 'bist du'],
    meeting: ['treffen', 'date', 'abendessen', 'was trinken', 'kaffee trinken', 'ruf mich an', 'telefon', 'nummer', 'whatsapp', 'telegram', 'adresse', 'persönlich', 'schreib mir'],
  },
};
