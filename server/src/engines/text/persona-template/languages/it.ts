// Italian frames of the persona template engine (slots and rules: ../frames.ts).
import type { Frames } from '../frames.ts';

export const itFrames: Frames = {
  openers: {
    reserved: ['Breve nota.', 'Oggi, in breve.', 'Un piccolo aggiornamento.', 'Semplicemente.', 'Per la cronaca.'],
    friendly: ['Ciao a tutti!', 'Ciao, amici!', 'Allora, eccoci.', 'Piccolo aggiornamento.', 'Buongiorno a tutti!', 'Passo a salutarvi.'],
    warm: ['Ciao, persone splendide!', 'Un abbraccio enorme a tutti voi oggi.', 'Il cuore è pieno, davvero.', 'Mi rendete la giornata.', 'Grazie di esserci, di cuore.'],
  },
  flirtyOpeners: ['Ma guarda, ciao.', 'Guarda chi è passato.', 'Ti ha colpito?', 'Ciao, tu.'],
  ideaLines: [
    '{Idea}: proprio quello che mi serviva oggi.',
    'Oggi è stato tutto questo: {idea}.',
    '{Idea}. Niente da aggiungere.',
    'In questo momento: {idea}.',
    '{Idea}, e lo rifarei domani.',
    'Il meglio della settimana: {idea}.',
    'Certi giorni sono fatti per questo: {idea}.',
    '{Idea} e tanto buonumore.',
    'Dovevo condividerlo: {idea}.',
  ],
  topicLines: ['Mi conoscete: {topic}, sempre.', 'Ci penso ancora: {topic}.', '{Topic}: quello che mi fa andare avanti.', 'Presto, ancora {topic}.', '{Topic}: mai abbastanza.', '{Topic}, il mio posto felice.'],
  traitLines: ['Modalità {trait}: attiva.', '{Trait}, come sempre.', 'Oggi particolarmente {trait}.', 'Il mio lato {trait} in azione.'],
  closers: {
    reserved: ['A presto.', 'Per ora è tutto.', 'Alla prossima.', 'Opinioni benvenute.'],
    friendly: ['E voi cosa fate oggi?', 'Raccontatemelo nei commenti!', 'Chi altro?', 'Buona giornata!', 'Che ne pensate?'],
    warm: ['Vi voglio bene, abbiate cura di voi.', 'Raccontatemi la vostra giornata, voglio sapere tutto!', 'Vi mando tanta energia positiva.', 'Anche voi meritate una giornata così.', 'Grazie di esserci sempre.'],
  },
  flirtyClosers: ['Non farmi aspettare nei commenti.', 'Tocca a te farmi sorridere.', 'Ti ho visto guardare.', 'Dimmi qualcosa di carino.'],
  noIdea: ['una giornata tranquilla', 'le piccole cose', 'le piccole vittorie di oggi', 'un nuovo inizio', 'questo momento'],
  altText: ['Foto di {name}: {idea}.', '{name} — {idea}.', 'Immagine di {name}: {idea}.'],
  threadHooks: ['Qualche pensiero su questo: {idea}.', 'Parliamone: {idea}.', 'Tutto quello che ho imparato: {idea}.', 'Perché per me conta: {idea}.'],
  threadEnds: {
    reserved: ['Questo è l’essenziale. Domande benvenute.', 'Fine del thread.', 'Per ora è tutto.'],
    friendly: ['Ecco fatto! Cosa aggiungereste?', 'Grazie per aver letto, ditemi la vostra!', 'Tocca a voi: cosa mi è sfuggito?'],
    warm: ['Grazie per aver letto fin qui, siete fantastici.', 'Raccontatemi anche la vostra storia, leggo ogni risposta.', 'Un abbraccio a chi è arrivato fino in fondo.'],
  },
  bio: ['{traits}. Qui per {topics}.', '{name} · {topics} · {traits}.', 'Parlo di {topics}. {traits}.', '{topics}: con un animo {traits}.'],
  bioTails: {
    reserved: ['Nuovi post ogni settimana.', 'Note e novità.'],
    friendly: ['Passa a salutare!', 'Vieni con me.', 'Che bello averti qui.'],
    warm: ['Sempre buone vibrazioni.', 'Che bello che tu mi abbia trovato.', 'Benvenuti in famiglia.'],
  },
  reply: {
    thanks: {
      reserved: ['Grazie, apprezzo.', 'Grazie per le belle parole.'],
      friendly: ['Grazie mille!', 'Oh, grazie, che gentile!', 'Grazie, mi hai fatto la giornata!'],
      warm: ['Sei un tesoro, grazie!', 'Mi hai fatto sorridere tantissimo, grazie!', 'Grazie di cuore, commenti così valgono tantissimo.'],
    },
    answer: {
      reserved: ['Bella domanda. Parlerò di {topic} in un prossimo post.', 'Domanda giusta, ne parlerò presto.'],
      friendly: ['Bella domanda! Presto condivido di più su {topic}.', 'Ottima domanda, a breve un post su questo!'],
      warm: ['Adoro che tu l’abbia chiesto! Presto di più su {topic}.', 'Che bella domanda, preparo un post apposta.'],
    },
    meeting: ['Che gentile, ma condivido tutto qui sulla mia pagina.', 'Grazie per averlo chiesto! Sono solo qui nei commenti.', 'Carino, ma preferisco restare online. Ci vediamo nei commenti!'],
    keepItFriendly: ['Restiamo gentili qui, grazie.', 'Questo spazio è gentile e rispettoso, grazie per la comprensione.', 'Non è un argomento di cui parlo qui. Buona giornata!'],
    general: {
      reserved: ['Grazie per il commento.', 'Grazie per essere passato.'],
      friendly: ['Grazie di essere passato!', 'Adoro, grazie per il commento!', 'Che bello vederti qui!'],
      warm: ['Che gioia vederti qui!', 'Grazie di far parte di tutto questo, davvero.', 'Il tuo commento mi ha fatto la giornata!'],
    },
    flirty: ['Mi fai arrossire.', 'Attento, potrei abituarmi.', 'Che charme.'],
  },
  video: {
    titles: ['{Idea}', '{Idea}: la mia versione', '{Idea} in 30 secondi', 'Perché lo adoro: {idea}'],
    hooks: ['POV: {idea}.', 'Devi vederlo: {idea}.', 'Aspetta: {idea}.', 'Questo è il tuo segnale: {idea}.'],
    introVisuals: ['{name} parla in camera, sullo sfondo: {idea}', 'Campo lungo che presenta la scena: {idea}', 'Apertura con camera a mano: {idea}'],
    topicVisuals: ['Primi piani: {topic}', 'Immagini di copertura: {topic}', 'Tagli veloci: {topic}'],
    outroVisuals: ['{name} sorride in camera, testo a schermo: @{handle}', 'Dissolvenza lenta, @{handle} a schermo', '{name} saluta, @{handle} nell’angolo'],
    outros: {
      reserved: ['È tutto. A presto.', 'Seguimi per il prossimo.', 'Grazie per la visione.'],
      friendly: ['Seguimi per altri video e raccontami la tua nei commenti!', 'Ecco il video! Cosa provo la prossima volta?'],
      warm: ['Grazie per aver guardato, siete i migliori!', 'Vi mando tutta l’energia positiva. Ci leggiamo nei commenti!'],
    },
  },
  and: 'e',
  genericTags: ['fotodelgiorno', 'buonevibrazioni', 'quotidiano', 'stiledivita', 'instadaily', 'momenti', 'oggi', 'creator'],
  stopwords: [
    'il', 'lo', 'la', 'i', 'gli', 'le', 'un', 'uno', 'una', 'e', 'o', 'ma', 'di', 'del', 'della', 'a', 'al', 'alla', 'da', 'in', 'nel', 'nella', 'su', 'per',
    'con', 'senza', 'mio', 'mia', 'tuo', 'tua', 'suo', 'sua', 'questo', 'questa', 'è', 'sono', 'era', 'io', 'mi', 'noi', 'che', 'molto', 'più', 'l', 'd',
  ],
  cues: {
    compliment: ['adoro', 'bellissima', 'bellissimo', 'bella', 'bello', 'stupenda', 'stupendo', 'incredibile', 'perfetta', 'perfetto', 'fantastica', 'fantastico', 'wow', 'la migliore', 'il migliore', '❤', '😍', '🔥', '👏'],
    question: ['cosa', 'che cosa', 'come', 'perché', 'dove', 'quando', 'quale', 'chi', 'puoi', 'hai', 'sei'],
    meeting: ['incontrarci', 'vederci', 'appuntamento', 'cena', 'un drink', 'un caffè', 'chiamami', 'telefono', 'numero', 'whatsapp', 'telegram', 'indirizzo', 'di persona', 'scrivimi'],
  },
};
