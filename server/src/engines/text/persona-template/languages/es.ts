// Spanish frames of the persona template engine (slots and rules: ../frames.ts).
import type { Frames } from '../frames.ts';

export const esFrames: Frames = {
  openers: {
    reserved: ['Nota rápida.', 'Hoy, en breve.', 'Una pequeña actualización.', 'Sin más rodeos.', 'Para que conste.'],
    friendly: ['¡Hola a todos!', '¡Hola, amigos!', 'Bueno, pues aquí estamos.', 'Pequeña actualización.', '¡Buenas!', 'Pasando a saludar.'],
    warm: ['¡Hola, gente bonita!', '¡Un abrazo enorme para todos!', 'Con el corazón lleno, de verdad.', 'Ustedes me alegran el día.', '¡Hola, mi gente!', 'Gracias por estar aquí, de corazón.'],
  },
  flirtyOpeners: ['Vaya, hola.', 'Mira quién pasó por aquí.', '¿Te llamó la atención?', 'Hola, tú.'],
  ideaLines: [
    '{Idea}: justo lo que necesitaba hoy.',
    'Hoy tocó esto: {idea}.',
    '{Idea}. Sin comentarios.',
    'Ahora mismo: {idea}.',
    '{Idea}, y lo repetiría mañana.',
    'Lo mejor de la semana: {idea}.',
    'Hay días hechos para esto: {idea}.',
    '{Idea} y muy buen humor.',
    'Tenía que compartirlo: {idea}.',
  ],
  topicLines: ['Ya me conocen: {topic}, siempre.', 'Sigo pensando en esto: {topic}.', '{Topic}: lo que me mueve.', 'Pronto, más sobre {topic}.', '{Topic}, nunca es suficiente.', '{Topic}: mi lugar feliz.'],
  traitLines: ['Modo {trait}: activado.', '{Trait}, como siempre.', 'Hoy me siento muy {trait}.', 'Mi lado {trait} en acción.'],
  closers: {
    reserved: ['Más pronto.', 'Eso es todo por ahora.', 'Hasta la próxima.', 'Se aceptan opiniones.'],
    friendly: ['¿Y ustedes qué hacen hoy?', '¡Cuéntenme en los comentarios!', '¿Quién más?', '¡Que tengan un buen día!', '¿Qué opinan?'],
    warm: ['Los quiero, cuídense mucho.', 'Cuéntenme de su día, ¡quiero saberlo!', 'Les mando buena vibra.', 'Ustedes también merecen un día así.', 'Gracias por estar siempre aquí.'],
  },
  flirtyClosers: ['No me hagas esperar en los comentarios.', 'Te toca hacerme sonreír.', 'Te vi mirando.', 'Dime algo bonito.'],
  noIdea: ['un día tranquilo', 'las pequeñas cosas', 'los pequeños logros de hoy', 'un nuevo comienzo', 'este momento'],
  altText: ['Foto de {name}: {idea}.', '{name} — {idea}.', 'Imagen de {name}: {idea}.'],
  threadHooks: ['Algunas ideas sobre esto: {idea}.', 'Hablemos de esto: {idea}.', 'Todo lo que aprendí: {idea}.', 'Por qué me importa: {idea}.'],
  threadEnds: {
    reserved: ['Eso es lo esencial. Preguntas bienvenidas.', 'Fin del hilo.', 'Eso es todo por ahora.'],
    friendly: ['¡Eso es todo! ¿Qué añadirían?', 'Gracias por leer, ¡cuéntenme su opinión!', 'Les toca: ¿qué me faltó?'],
    warm: ['Gracias por leer hasta aquí, son lo máximo.', 'Cuéntenme su historia también, leo todas las respuestas.', 'Mucho cariño para quien llegó al final.'],
  },
  bio: ['{traits}. Aquí por {topics}.', '{name} · {topics} · {traits}.', 'Hablando de {topics}. {traits}.', '{topics}: compartido con alma {traits}.'],
  bioTails: {
    reserved: ['Publicaciones semanales.', 'Notas y novedades.'],
    friendly: ['¡Saluda!', 'Acompáñame.', 'Qué bueno que estás aquí.'],
    warm: ['Siempre con buena vibra.', 'Feliz de que me encontraras.', 'Bienvenidos a la familia.'],
  },
  reply: {
    thanks: {
      reserved: ['Gracias, se agradece.', 'Gracias por tus palabras.'],
      friendly: ['¡Muchas gracias!', '¡Gracias, qué lindo!', '¡Gracias, me alegraste el día!'],
      warm: ['¡Eres un amor, gracias!', 'Me sacaste una sonrisa enorme, ¡gracias!', 'Gracias de verdad, comentarios así significan mucho.'],
    },
    answer: {
      reserved: ['Buena pregunta. Hablaré de {topic} en otra publicación.', 'Pregunta justa, lo contaré pronto.'],
      friendly: ['¡Buena pregunta! Pronto comparto más sobre {topic}.', '¡Uy, buena esa! Atento a una publicación sobre eso.'],
      warm: ['¡Me encanta que preguntes! Pronto comparto más sobre {topic}.', 'Qué buena pregunta, prepararé una publicación para ti.'],
    },
    meeting: ['Qué amable, pero todo lo comparto aquí en mi página.', '¡Gracias por preguntar! Solo estoy aquí en los comentarios.', 'Muy lindo, pero prefiero quedarme en línea. ¡Nos vemos en los comentarios!'],
    keepItFriendly: ['Mantengamos esto amable, gracias.', 'Este espacio es amable y respetuoso, gracias por entender.', 'No es algo de lo que hable aquí. ¡Buen día!'],
    general: {
      reserved: ['Gracias por comentar.', 'Gracias por pasar.'],
      friendly: ['¡Gracias por pasar!', '¡Me encanta, gracias por comentar!', '¡Qué bueno verte por aquí!'],
      warm: ['¡Qué alegría verte aquí!', 'Gracias por ser parte de esto, de verdad.', '¡Me alegraste el día con este comentario!'],
    },
    flirty: ['Me vas a hacer sonrojar.', 'Cuidado, me puedo acostumbrar.', 'Qué labia.'],
  },
  video: {
    titles: ['{Idea}', '{Idea}: mi versión', '{Idea} en 30 segundos', 'Por qué me encanta: {idea}'],
    hooks: ['POV: {idea}.', 'Tienes que ver esto: {idea}.', 'Espera: {idea}.', 'Esta es tu señal: {idea}.'],
    introVisuals: ['{name} hablando a cámara, de fondo: {idea}', 'Plano general que presenta la escena: {idea}', 'Toma inicial en mano: {idea}'],
    topicVisuals: ['Primeros planos: {topic}', 'Recursos de {topic}', 'Cortes rápidos: {topic}'],
    outroVisuals: ['{name} sonríe a cámara, texto en pantalla: @{handle}', 'Fundido lento, @{handle} en pantalla', '{name} saluda, @{handle} en la esquina'],
    outros: {
      reserved: ['Eso es todo. Más pronto.', 'Sígueme para el próximo.', 'Gracias por ver.'],
      friendly: ['¡Sígueme para más y cuéntame el tuyo en los comentarios!', '¡Ese es el video! ¿Qué pruebo después?'],
      warm: ['Gracias por ver, ¡son lo máximo!', 'Les mando toda la buena energía. ¡Nos leemos en los comentarios!'],
    },
  },
  and: 'y',
  genericTags: ['fotodeldia', 'buenavibra', 'díaadía', 'estilodevida', 'instadaily', 'momentos', 'hoy', 'creadora'],
  stopwords: [
    'el', 'la', 'los', 'las', 'un', 'una', 'unos', 'unas', 'y', 'o', 'pero', 'de', 'del', 'a', 'al', 'en', 'por', 'para', 'con', 'sin', 'sobre', 'mi', 'mis',
    'tu', 'tus', 'su', 'sus', 'este', 'esta', 'esto', 'ese', 'esa', 'es', 'son', 'fue', 'yo', 'me', 'nos', 'que', 'muy', 'más', 'junto', 'hoy', 'como',
  ],
  cues: {
    compliment: ['me encanta', 'hermosa', 'hermoso', 'preciosa', 'precioso', 'guapa', 'guapo', 'increíble', 'genial', 'bonita', 'bonito', 'linda', 'lindo', 'perfecta', 'perfecto', 'wow', 'la mejor', 'el mejor', '❤', '😍', '🔥', '👏'],
    question: ['qué', 'cómo', 'por qué', 'dónde', 'cuándo', 'cuál', 'quién', 'puedes', 'tienes', 'eres'],
    meeting: ['quedar', 'vernos', 'cita', 'cena', 'cenar', 'tomar algo', 'un café', 'llámame', 'teléfono', 'número', 'whatsapp', 'telegram', 'dirección', 'en persona', 'escríbeme'],
  },
};
