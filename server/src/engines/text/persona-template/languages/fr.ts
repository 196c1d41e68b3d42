// French frames of the persona template engine (slots and rules: ../frames.ts).
import type { Frames } from '../frames.ts';

export const frFrames: Frames = {
  openers: {
    reserved: ['Petite note.', 'Aujourd’hui, en bref.', 'Une courte mise à jour.', 'Simplement.', 'Pour mémoire.'],
    friendly: ['Coucou tout le monde !', 'Salut les amis !', 'Bon, alors.', 'Petite mise à jour.', 'Bonjour à tous !', 'Je passe vous dire bonjour.'],
    warm: ['Coucou, vous qui êtes adorables !', 'Gros câlin à vous tous aujourd’hui.', 'Le cœur plein, sincèrement.', 'Vous illuminez ma journée.', 'Merci d’être là, vraiment.'],
  },
  flirtyOpeners: ['Tiens, bonjour.', 'Regardez qui passe par ici.', 'Ça a attiré ton regard ?', 'Salut, toi.'],
  ideaLines: [
    '{Idea} : exactement ce qu’il me fallait.',
    'Au programme aujourd’hui : {idea}.',
    '{Idea}. Rien à ajouter.',
    'En ce moment : {idea}.',
    '{Idea}, et je recommencerais demain.',
    'Le meilleur de la semaine : {idea}.',
    'Certains jours sont faits pour ça : {idea}.',
    '{Idea} et une très bonne humeur.',
    'Je devais partager ça : {idea}.',
  ],
  topicLines: ['Vous me connaissez : {topic}, toujours.', 'Je pense encore à ça : {topic}.', '{Topic} : ce qui me fait avancer.', 'Bientôt, encore plus de {topic}.', '{Topic} : jamais assez.', '{Topic}, mon endroit préféré.'],
  traitLines: ['Mode {trait} : activé.', '{Trait}, comme toujours.', 'Côté {trait} aujourd’hui.', 'Mon côté {trait} en action.'],
  closers: {
    reserved: ['La suite bientôt.', 'C’est tout pour l’instant.', 'À la prochaine.', 'Vos avis sont les bienvenus.'],
    friendly: ['Et vous, vous faites quoi aujourd’hui ?', 'Dites-moi tout en commentaire !', 'Qui d’autre ?', 'Bonne journée à vous !', 'Vous en pensez quoi ?'],
    warm: ['Je vous aime, prenez soin de vous.', 'Racontez-moi votre journée, je veux tout savoir !', 'Je vous envoie plein de bonnes ondes.', 'Vous méritez une journée comme celle-ci.', 'Merci d’être toujours là.'],
  },
  flirtyClosers: ['Ne me fais pas attendre dans les commentaires.', 'À toi de me faire sourire.', 'Je t’ai vu regarder.', 'Dis-moi quelque chose de gentil.'],
  noIdea: ['une belle journée tranquille', 'les petites choses', 'les petites victoires du jour', 'un nouveau départ', 'ce moment'],
  altText: ['Photo de {name} : {idea}.', '{name} — {idea}.', 'Image de {name} : {idea}.'],
  threadHooks: ['Quelques réflexions : {idea}.', 'Parlons-en : {idea}.', 'Tout ce que j’en ai appris : {idea}.', 'Pourquoi ça compte pour moi : {idea}.'],
  threadEnds: {
    reserved: ['Voilà l’essentiel. Questions bienvenues.', 'Fin du fil.', 'C’est tout pour l’instant.'],
    friendly: ['Voilà ! Vous ajouteriez quoi ?', 'Merci de m’avoir lu, donnez-moi votre avis !', 'À vous : qu’est-ce que j’ai oublié ?'],
    warm: ['Merci d’avoir lu jusqu’ici, vous êtes géniaux.', 'Racontez-moi votre histoire aussi, je lis toutes les réponses.', 'Plein de tendresse à ceux qui sont arrivés au bout.'],
  },
  bio: ['{traits}. Ici pour {topics}.', '{name} · {topics} · {traits}.', 'On parle de {topics}. {traits}.', '{topics} : partagé avec un esprit {traits}.'],
  bioTails: {
    reserved: ['Nouveaux posts chaque semaine.', 'Notes et nouvelles.'],
    friendly: ['Dites bonjour !', 'Venez avec moi.', 'Ça fait plaisir de vous voir ici.'],
    warm: ['Toujours de bonnes ondes.', 'Quel bonheur que vous soyez là.', 'Bienvenue dans la famille.'],
  },
  reply: {
    thanks: {
      reserved: ['Merci, c’est apprécié.', 'Merci pour ces mots.'],
      friendly: ['Merci beaucoup !', 'Oh, merci, c’est gentil !', 'Merci, ça me fait plaisir !'],
      warm: ['Tu es adorable, merci !', 'Tu m’as fait sourire, merci !', 'Merci sincèrement, ces messages comptent énormément.'],
    },
    answer: {
      reserved: ['Bonne question. J’en parlerai dans un prochain post : {topic}.', 'Question légitime, j’y reviendrai bientôt.'],
      friendly: ['Bonne question ! J’en dirai plus bientôt : {topic}.', 'Oh, bien vu ! Un post arrive là-dessus.'],
      warm: ['J’adore que tu demandes ! J’en parle très bientôt : {topic}.', 'Super question, je prépare un post rien que pour ça.'],
    },
    meeting: ['C’est gentil, mais je partage tout ici, sur ma page.', 'Merci de demander ! Je suis seulement ici, dans les commentaires.', 'Adorable, mais je reste en ligne. On se retrouve dans les commentaires !'],
    keepItFriendly: ['Restons bienveillants ici, merci.', 'Cet espace reste gentil et respectueux, merci de comprendre.', 'Ce n’est pas un sujet dont je parle ici. Bonne journée !'],
    general: {
      reserved: ['Merci pour le commentaire.', 'Merci de votre passage.'],
      friendly: ['Merci d’être passé !', 'J’adore, merci pour le commentaire !', 'Ça fait plaisir de te voir ici !'],
      warm: ['Quel plaisir de te voir ici !', 'Merci de faire partie de l’aventure, vraiment.', 'Ton commentaire a illuminé ma journée !'],
    },
    flirty: ['Tu vas me faire rougir.', 'Attention, je pourrais m’y habituer.', 'Quel charmeur.'],
  },
  video: {
    titles: ['{Idea}', '{Idea} : ma version', '{Idea} en 30 secondes', 'Pourquoi j’adore : {idea}'],
    hooks: ['POV : {idea}.', 'Il faut que tu voies ça : {idea}.', 'Attends la suite : {idea}.', 'Voici ton signe : {idea}.'],
    introVisuals: ['{name} parle face caméra, en fond : {idea}', 'Plan large qui installe la scène : {idea}', 'Plan d’ouverture à la main : {idea}'],
    topicVisuals: ['Gros plans : {topic}', 'Plans de coupe : {topic}', 'Montage rapide : {topic}'],
    outroVisuals: ['{name} sourit à la caméra, texte à l’écran : @{handle}', 'Fondu lent, @{handle} à l’écran', '{name} fait coucou, @{handle} dans le coin'],
    outros: {
      reserved: ['C’est tout. La suite bientôt.', 'Abonnez-vous pour la prochaine.', 'Merci d’avoir regardé.'],
      friendly: ['Abonne-toi pour la suite et raconte-moi la tienne en commentaire !', 'Voilà la vidéo ! J’essaie quoi ensuite ?'],
      warm: ['Merci d’avoir regardé, vous êtes les meilleurs !', 'Je vous envoie toute ma bonne énergie. On se retrouve en commentaire !'],
    },
  },
  and: 'et',
  genericTags: ['photodujour', 'bonnesondes', 'quotidien', 'artdevivre', 'instadaily', 'moments', 'aujourdhui', 'créatrice'],
  stopwords: [
    'le', 'la', 'les', 'un', 'une', 'des', 'et', 'ou', 'mais', 'de', 'du', 'à', 'au', 'aux', 'en', 'dans', 'par', 'pour', 'avec', 'sans', 'sur', 'mon', 'ma',
    'mes', 'ton', 'ta', 'tes', 'son', 'sa', 'ses', 'ce', 'cet', 'cette', 'est', 'sont', 'je', 'me', 'nous', 'vous', 'que', 'qui', 'très', 'plus', 'près', 'l', 'd',
  ],
  cues: {
    compliment: ['j’adore', "j'adore", 'magnifique', 'belle', 'beau', 'superbe', 'incroyable', 'génial', 'géniale', 'jolie', 'joli', 'parfaite', 'parfait', 'wow', 'la meilleure', 'le meilleur', '❤', '😍', '🔥', '👏'],
    question: ['quoi', 'comment', 'pourquoi', 'où', 'quand', 'quel', 'quelle', 'qui', 'est-ce', 'tu peux', 'as-tu', 'es-tu'],
    meeting: ['rencontrer', 'se voir', 'rendez-vous', 'dîner', 'un verre', 'un café', 'appelle-moi', 'téléphone', 'numéro', 'whatsapp', 'telegram', 'adresse', 'en vrai', 'écris-moi'],
  },
};
